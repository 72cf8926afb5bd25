import { describe, expectTypeOf, it } from 'vitest';
import type { VerifyKeyResponse } from './schemas/verify.js';
import type { VerifiedIdentity, VerifyResult } from './verify-result.js';

/**
 * The wire answer as it must follow from the result: every identity field at the top level
 * (nullable, but for the two lists, which are empty when no key was found), and every other
 * field of the result as it is. A type test (`.test-d.ts`): `npm run typecheck` compiles it
 * and vitest does not run it; a field added to the result and not to `VerifyKeyResponse` (or
 * the other way round) fails the type check.
 */
type ListFields = 'permissions' | 'roles';
// Pick keeps optional fields optional (`wouldDeny`, `warnings`).
type FlattenedResult = Pick<VerifyResult, Exclude<keyof VerifyResult, 'identity'>> & {
  [K in Exclude<keyof VerifiedIdentity, ListFields>]: VerifiedIdentity[K] | null;
} & Pick<VerifiedIdentity, ListFields>;

/** Spreads an intersection into one object type, so that the equality check compares fields. */
type Fields<T> = { [K in keyof T]: T[K] };

describe('the verify result and its wire answer', () => {
  it('have the same fields, with the same types', () => {
    expectTypeOf<VerifyKeyResponse>().toEqualTypeOf<Fields<FlattenedResult>>();
    expectTypeOf<VerifyKeyResponse['ratelimits']>().toEqualTypeOf<VerifyResult['ratelimits']>();
    expectTypeOf<VerifyKeyResponse['wouldDeny']>().toEqualTypeOf<VerifyResult['wouldDeny']>();
    expectTypeOf<NonNullable<VerifyKeyResponse['consumer']>>().toEqualTypeOf<
      NonNullable<VerifiedIdentity['consumer']>
    >();
  });
});
