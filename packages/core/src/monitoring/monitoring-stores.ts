import { createSqlRunner, type SqlSource } from '../sql-runner/sql-runner.js';
import { type AlertStore, createAlertStore } from './alert-store.js';
import { createJobLock, type JobLock } from './job-lock.js';
import type { MonitoringDatabase } from './monitoring-schema.js';
import { createPolicyStore, type PolicyStore } from './policy-store.js';
import { createUsageSignals, type UsageSignals } from './usage-signals.js';

/** Everything monitoring keeps or reads in the database. */
export interface MonitoringStores {
  alerts: AlertStore;
  policies: PolicyStore;
  jobs: JobLock;
  signals: UsageSignals;
}

/**
 * The monitoring stores on the `Store`'s own SQLite handle or PostgreSQL pool (migrated:
 * `0002_usage` and `0004_monitoring`). They never close it: its owner does.
 *
 * @example const monitoring = createMonitoringStores({ database }); // or { pool }
 */
export function createMonitoringStores(source: SqlSource): MonitoringStores {
  const runner = createSqlRunner<MonitoringDatabase>(source);
  return {
    alerts: createAlertStore(runner),
    policies: createPolicyStore(runner),
    jobs: createJobLock(source),
    signals: createUsageSignals(source),
  };
}
