import { createSqlRunner, type SqlSource } from '../sql-runner/sql-runner.js';
import { createDashboardSessionStore, type DashboardSessionStore } from './dashboard-session-store.js';
import { createPortalAccessStore, type PortalAccessStore } from './portal-access-store.js';
import { createPortalSettingsStore, type PortalSettingsStore } from './portal-settings-store.js';
import type { SessionDatabase } from './session-schema.js';

/** Everything the dashboard and the portal keep in the database. */
export interface SessionStores {
  dashboard: DashboardSessionStore;
  portal: PortalAccessStore;
  portalSettings: PortalSettingsStore;
}

/**
 * The session stores on the `Store`'s own SQLite handle or PostgreSQL pool (migrated:
 * `0007_sessions`). They never close it: its owner does.
 *
 * @example const sessions = createSessionStores({ database }); // or { pool }
 */
export function createSessionStores(source: SqlSource): SessionStores {
  const runner = createSqlRunner<SessionDatabase>(source);
  return {
    dashboard: createDashboardSessionStore(runner),
    portal: createPortalAccessStore(runner),
    portalSettings: createPortalSettingsStore(runner),
  };
}
