/**
 * `@keyward/sdk`: the typed client, the remote verifier (the verify API) and the
 * framework-free pieces every keyward face shares (Bearer parsing, the HTTP answers, the
 * brute-force throttle). The framework middleware live behind their own subpaths so that
 * none is loaded unless used: `@keyward/sdk/express`, `@keyward/sdk/fastify`,
 * `@keyward/sdk/hono`; local mode (an in-process engine) is `@keyward/sdk/local`; the wire
 * schemas are `@keyward/protocol`.
 */

export {
  type Answer,
  type AnswerContext,
  answerFor,
  challengeFor,
  isValidRealm,
  type Outcome,
  quotedString,
  scopeOf,
} from './answers.js';
export * from './bearer.js';
export * from './client.js';
export * from './client-hints.js';
export * from './failure-throttle.js';
export * from './gateway-identity.js';
export { createGuard, type KeywardOptions, logVerificationError, type RequestReader } from './guard.js';
export * from './ratelimit-headers.js';
export * from './redact.js';
export * from './remote-verifier.js';
export type * from './verification.js';
