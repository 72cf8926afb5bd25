import type { VerifyResult } from '@keyward/protocol';
import type { Verifier, VerifyParams } from './verification.js';

/**
 * What local mode needs of `@keyward/core`'s `Engine`, written out structurally so the
 * SDK imports nothing from core (remote-mode users need not install it); a core `Engine`
 * fits as is (local-verifier.test.ts holds it to that). Both return the one `VerifyResult`
 * of `@keyward/protocol`.
 */
export interface LocalEngine {
  verifyKey(key: string, options?: VerifyParams): Promise<VerifyResult>;
}

/**
 * Local mode: verifies in-process with an engine on the same store as the keyward server
 * (no network hop, and the same code path as the verify API, so a key behaves exactly
 * alike). The engine's cache, invalidated over its `CacheBus`, keeps lookups off the
 * store; rate limits are exact within the process (shared across processes with Redis
 * counters). A malformed permission query makes the engine throw: the route answers 503
 * and `onError` receives the message naming the position.
 *
 * @example
 * const engine = createEngine({ store: createStore(createSqliteHandle({ database })) });
 * app.get('/stations', keyward({ verifier: localVerifier(engine), permissions: 'stations:read' }), handler);
 */
export function localVerifier(engine: LocalEngine): Verifier {
  // The engine's result is what the middleware reads: no copy on the hot path.
  return { verify: (key, params) => engine.verifyKey(key, params) };
}
