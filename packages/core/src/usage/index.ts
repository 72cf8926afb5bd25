/**
 * Usage pipeline (`@keyward/core/usage`): the recorder the engine hands its events to
 * (bounded buffer, batched writes off the verification path), and the usage stores on
 * SQLite and PostgreSQL (raw events, minute/hour/day rollups, per-key totals, retention).
 * No database driver is loaded by importing it: the stores take the database's one handle.
 */
export type { AggregatedBatch, KeyUsageDelta, RawRow, RollupRow } from './aggregate.js';
export { aggregateBatch } from './aggregate.js';
export type { ClientKind, Credential, CredentialClients, CredentialUsage } from './credential-usage.js';
export { CLIENT_CAPS } from './credential-usage.js';
export * from './granularity.js';
export * from './postgres-usage-store.js';
export * from './recorder.js';
export { resolveRetention } from './retention.js';
export * from './sqlite-usage-store.js';
export type * from './usage-schema.js';
export * from './usage-store.js';
export * from './usage-store-factory.js';
