/**
 * `@keyward/protocol`: what every keyward face agrees on, with no runtime dependency but
 * TypeBox. The verification codes and result (and their one translation to the wire), the
 * problem+json answers (one table of codes, statuses and titles), and the wire schemas of
 * the HTTP API (the server validates and documents its routes with them; the SDK derives
 * its types from them). The engine, the server and the SDK all import it, so none can drift.
 *
 * @example
 * import { CreateKeyBody, problemDetails, type VerifyResult } from '@keyward/protocol';
 */
export type * from './client-hints.js';
export * from './problem.js';
export * from './schemas/index.js';
export * from './verify-response.js';
export type * from './verify-result.js';
