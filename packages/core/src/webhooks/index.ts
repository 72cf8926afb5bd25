/**
 * Webhooks (`@keyward/core/webhooks`): endpoints and an outbox on SQLite or PostgreSQL,
 * Standard Webhooks signing, an SSRF-guarded HTTP sender and a dispatcher with retries.
 * No database driver is loaded by importing it.
 */
export * from './address-policy.js';
export * from './deliver.js';
export * from './dispatcher.js';
export * from './retry-schedule.js';
export * from './secret-box.js';
export * from './signature.js';
export * from './webhook-events.js';
export * from './webhook-model.js';
export * from './webhook-store.js';
