/**
 * Access-pattern monitoring (`@keyward/core/monitoring`): the detectors (pure functions
 * over usage and key state), the policy that configures them, and the alert, policy and
 * job stores on SQLite or PostgreSQL. No database driver is loaded by importing it.
 */

export type { SqlExecutor, SqlHandle } from '../sql/sql-handle.js';
export * from './alert-model.js';
export * from './alert-store.js';
export * from './collect.js';
export * from './detectors/brute-force.js';
export * from './detectors/credits-low.js';
export * from './detectors/ip-spread.js';
export * from './detectors/key-expiring.js';
export * from './detectors/key-unused.js';
export * from './detectors/new-network.js';
export * from './detectors/traffic-spike.js';
export * from './job-lock.js';
export * from './monitoring-stores.js';
export * from './networks.js';
export * from './policy.js';
export * from './policy-store.js';
export * from './usage-signals.js';
