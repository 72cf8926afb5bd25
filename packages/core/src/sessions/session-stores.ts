import type { SqlExecutor } from '../sql/sql-handle.js';
import { createDashboardSessionStore, type DashboardSessionStore } from './dashboard-session-store.js';
import { createPortalAccessStore, type PortalAccessStore } from './portal-access-store.js';
import { createPortalSettingsStore, type PortalSettingsStore } from './portal-settings-store.js';

/** Everything the dashboard and the portal keep in the database. */
export interface SessionStores {
  dashboard: DashboardSessionStore;
  portal: PortalAccessStore;
  portalSettings: PortalSettingsStore;
}

/**
 * The session stores on the database's one handle (migrated: `0007_sessions`). They never
 * close it: its owner does.
 *
 * @example const sessions = createSessionStores(sql); // sql: createSqliteHandle(...) or createPostgresHandle(...)
 */
export function createSessionStores(sql: SqlExecutor): SessionStores {
  return {
    dashboard: createDashboardSessionStore(sql),
    portal: createPortalAccessStore(sql),
    portalSettings: createPortalSettingsStore(sql),
  };
}
