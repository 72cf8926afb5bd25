import type { SqlHandle } from '../sql/sql-handle.js';
import { type AlertStore, createAlertStore } from './alert-store.js';
import { createJobLock, type JobLock } from './job-lock.js';
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
 * The monitoring stores on the database's one handle (migrated: `0002_usage` and
 * `0004_monitoring`). They never close it: its owner does.
 *
 * @example const monitoring = createMonitoringStores(sql);
 */
export function createMonitoringStores(sql: SqlHandle): MonitoringStores {
  return {
    alerts: createAlertStore(sql),
    policies: createPolicyStore(sql),
    jobs: createJobLock(sql),
    signals: createUsageSignals(sql),
  };
}
