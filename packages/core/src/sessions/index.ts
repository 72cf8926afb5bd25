/**
 * Sessions of the dashboard and the customer portal (`@keyward/core/sessions`): dashboard
 * sessions, single-use portal links and portal sessions (all kept as token digests), and
 * the portal's per-API policies and branding. No database driver is loaded by importing it.
 */
export * from './dashboard-session-store.js';
export * from './portal-access-store.js';
export * from './portal-settings-store.js';
export * from './session-model.js';
export * from './session-stores.js';
export * from './session-token.js';
