import type { Engine } from '@keyward/core';
import type { VerifyResult } from '@keyward/protocol';
import { describe, expectTypeOf, it } from 'vitest';
import type { LocalEngine } from './local-verifier.js';
import type { Verifier } from './verification.js';

/**
 * A type test (`.test-d.ts`): `npm run typecheck` compiles it, vitest does not run it (it has
 * nothing to run). The engine, local mode and the middleware share one result type.
 */
describe('local mode', () => {
  it("takes core's Engine as it is, and hands the middleware the engine's own result", () => {
    expectTypeOf<Engine>().toExtend<LocalEngine>();
    expectTypeOf<ReturnType<Engine['verifyKey']>>().toEqualTypeOf<Promise<VerifyResult>>();
    expectTypeOf<ReturnType<Verifier['verify']>>().toEqualTypeOf<Promise<VerifyResult>>();
  });
});
