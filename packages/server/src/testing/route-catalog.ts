import type { RootPermission } from '@keyward/protocol';
import type { TestClient } from './test-client.js';

/** One admin route with concrete ids and a body that would succeed. */
export interface CatalogRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The route pattern, e.g. `/v1/keys/:id`. */
  pattern: string;
  url: string;
  permission: RootPermission;
  body?: unknown;
}

/** Resources created in one workspace, one of each kind. */
export interface Fixtures {
  apiId: string;
  consumerId: string;
  externalId: string;
  keyId: string;
  key: string;
  roleId: string;
  roleName: string;
  rootKeyId: string;
  webhookId: string;
  /** No alert: alerts are raised by the monitor, never by a request; a well-formed unknown id. */
  alertId: string;
}

/** Creates one API, consumer, role, key (holding the role), extra root key and webhook endpoint through the API. */
export async function createFixtures(api: TestClient, tag: string): Promise<Fixtures> {
  const apiId = (await api.post('/v1/apis', { name: `api ${tag}`, prefix: `p${tag}` })).json().id;
  const consumerId = (await api.post('/v1/consumers', { externalId: `ext-${tag}` })).json().id;
  const role = (await api.post('/v1/roles', { name: `role-${tag}`, permissions: ['x:read'] })).json();
  const created = (await api.post('/v1/keys', { apiId, consumerId, roles: [role.name] })).json();
  const rootKeyId = (
    await api.post('/v1/root-keys', { name: `rk ${tag}`, permissions: ['keys:read'] })
  ).json().id;
  const webhookId = (
    await api.post('/v1/webhooks', { url: `http://127.0.0.1:9/${tag}`, events: ['key.created'] })
  ).json().id;
  return {
    apiId,
    consumerId,
    externalId: `ext-${tag}`,
    keyId: created.id,
    key: created.key,
    roleId: role.id,
    roleName: role.name,
    rootKeyId,
    webhookId,
    alertId: `alert_${tag}0000000000000000000000`,
  };
}

/** Every admin route, pointed at the given fixtures. */
export function catalog(f: Fixtures): CatalogRoute[] {
  return [
    {
      method: 'POST',
      pattern: '/v1/apis',
      url: '/v1/apis',
      permission: 'apis:write',
      body: { name: 'n', prefix: 'newp' },
    },
    { method: 'GET', pattern: '/v1/apis', url: '/v1/apis', permission: 'apis:read' },
    { method: 'GET', pattern: '/v1/apis/:id', url: `/v1/apis/${f.apiId}`, permission: 'apis:read' },
    {
      method: 'PATCH',
      pattern: '/v1/apis/:id',
      url: `/v1/apis/${f.apiId}`,
      permission: 'apis:write',
      body: { name: 'm' },
    },
    { method: 'DELETE', pattern: '/v1/apis/:id', url: `/v1/apis/${f.apiId}`, permission: 'apis:write' },
    {
      method: 'GET',
      pattern: '/v1/apis/:id/policies/lifetime',
      url: `/v1/apis/${f.apiId}/policies/lifetime`,
      permission: 'apis:read',
    },
    {
      method: 'GET',
      pattern: '/v1/apis/:id/policies/publishable',
      url: `/v1/apis/${f.apiId}/policies/publishable`,
      permission: 'apis:read',
    },
    {
      method: 'GET',
      pattern: '/v1/apis/:id/policies/child-keys',
      url: `/v1/apis/${f.apiId}/policies/child-keys`,
      permission: 'apis:read',
    },
    {
      method: 'PUT',
      pattern: '/v1/apis/:id/policies/lifetime',
      url: `/v1/apis/${f.apiId}/policies/lifetime`,
      permission: 'apis:write',
      body: { maxTtlDays: 30 },
    },
    {
      method: 'DELETE',
      pattern: '/v1/apis/:id/policies/lifetime',
      url: `/v1/apis/${f.apiId}/policies/lifetime`,
      permission: 'apis:write',
    },
    {
      method: 'PUT',
      pattern: '/v1/apis/:id/policies/publishable',
      url: `/v1/apis/${f.apiId}/policies/publishable`,
      permission: 'apis:write',
      body: { publicPermissions: ['stations:read'], allowedOrigins: ['https://app.example.com'] },
    },
    {
      method: 'PUT',
      pattern: '/v1/apis/:id/policies/child-keys',
      url: `/v1/apis/${f.apiId}/policies/child-keys`,
      permission: 'apis:write',
      body: { enabled: false, maxExpiresInSeconds: 60, maxDepth: 1 },
    },
    {
      method: 'POST',
      pattern: '/v1/consumers',
      url: '/v1/consumers',
      permission: 'consumers:write',
      body: { externalId: 'new-consumer' },
    },
    { method: 'GET', pattern: '/v1/consumers', url: '/v1/consumers', permission: 'consumers:read' },
    {
      method: 'GET',
      pattern: '/v1/consumers/:id',
      url: `/v1/consumers/${f.consumerId}`,
      permission: 'consumers:read',
    },
    {
      method: 'PATCH',
      pattern: '/v1/consumers/:id',
      url: `/v1/consumers/${f.consumerId}`,
      permission: 'consumers:write',
      body: { name: 'x' },
    },
    {
      method: 'DELETE',
      pattern: '/v1/consumers/:id',
      url: `/v1/consumers/${f.consumerId}`,
      permission: 'consumers:write',
    },
    {
      method: 'POST',
      pattern: '/v1/keys',
      url: '/v1/keys',
      permission: 'keys:write',
      body: { apiId: f.apiId },
    },
    { method: 'GET', pattern: '/v1/keys', url: '/v1/keys', permission: 'keys:read' },
    { method: 'GET', pattern: '/v1/keys/:id', url: `/v1/keys/${f.keyId}`, permission: 'keys:read' },
    {
      method: 'PATCH',
      pattern: '/v1/keys/:id',
      url: `/v1/keys/${f.keyId}`,
      permission: 'keys:write',
      body: { name: 'x' },
    },
    {
      method: 'POST',
      pattern: '/v1/keys/:id/revoke',
      url: `/v1/keys/${f.keyId}/revoke`,
      permission: 'keys:write',
    },
    {
      method: 'POST',
      pattern: '/v1/keys/:id/roll',
      url: `/v1/keys/${f.keyId}/roll`,
      permission: 'keys:write',
      body: { gracePeriodMs: 0 },
    },
    {
      method: 'GET',
      pattern: '/v1/keys/:id/rotation',
      url: `/v1/keys/${f.keyId}/rotation`,
      permission: 'keys:read',
    },
    {
      method: 'POST',
      pattern: '/v1/keys/:id/rotation/extend',
      url: `/v1/keys/${f.keyId}/rotation/extend`,
      permission: 'keys:write',
      body: { extendBySeconds: 60 },
    },
    {
      method: 'POST',
      pattern: '/v1/keys/:id/rotation/end',
      url: `/v1/keys/${f.keyId}/rotation/end`,
      permission: 'keys:write',
    },
    { method: 'DELETE', pattern: '/v1/keys/:id', url: `/v1/keys/${f.keyId}`, permission: 'keys:write' },
    {
      method: 'POST',
      pattern: '/v1/keys/:id/roles',
      url: `/v1/keys/${f.keyId}/roles`,
      permission: 'keys:write',
      body: { roles: [f.roleName] },
    },
    {
      method: 'DELETE',
      pattern: '/v1/keys/:id/roles/:name',
      url: `/v1/keys/${f.keyId}/roles/${f.roleName}`,
      permission: 'keys:write',
    },
    {
      method: 'POST',
      pattern: '/v1/keys/import',
      url: '/v1/keys/import',
      permission: 'keys:write',
      body: { apiId: f.apiId, keys: [{ sha256: 'ab'.repeat(32) }] },
    },
    {
      method: 'POST',
      pattern: '/v1/keys/report-leak',
      url: '/v1/keys/report-leak',
      permission: 'keys:write',
      body: { keys: [{ key: f.key, url: 'https://example.com/leak' }] },
    },
    {
      method: 'POST',
      pattern: '/v1/keys/verify',
      url: '/v1/keys/verify',
      permission: 'keys:verify',
      body: { key: f.key },
    },
    {
      method: 'POST',
      pattern: '/v1/roles',
      url: '/v1/roles',
      permission: 'roles:write',
      body: { name: 'new-role', permissions: [] },
    },
    { method: 'GET', pattern: '/v1/roles', url: '/v1/roles', permission: 'roles:read' },
    { method: 'GET', pattern: '/v1/roles/:id', url: `/v1/roles/${f.roleId}`, permission: 'roles:read' },
    {
      method: 'PATCH',
      pattern: '/v1/roles/:id',
      url: `/v1/roles/${f.roleId}`,
      permission: 'roles:write',
      body: { description: 'd' },
    },
    { method: 'DELETE', pattern: '/v1/roles/:id', url: `/v1/roles/${f.roleId}`, permission: 'roles:write' },
    {
      method: 'POST',
      pattern: '/v1/root-keys',
      url: '/v1/root-keys',
      permission: 'root_keys:write',
      body: { permissions: ['keys:read'] },
    },
    { method: 'GET', pattern: '/v1/root-keys', url: '/v1/root-keys', permission: 'root_keys:read' },
    {
      method: 'GET',
      pattern: '/v1/root-keys/:id',
      url: `/v1/root-keys/${f.rootKeyId}`,
      permission: 'root_keys:read',
    },
    {
      method: 'POST',
      pattern: '/v1/root-keys/:id/roll',
      url: `/v1/root-keys/${f.rootKeyId}/roll`,
      permission: 'root_keys:write',
    },
    {
      method: 'POST',
      pattern: '/v1/root-keys/:id/revoke',
      url: `/v1/root-keys/${f.rootKeyId}/revoke`,
      permission: 'root_keys:write',
    },
    { method: 'GET', pattern: '/v1/audit-events', url: '/v1/audit-events', permission: 'audit:read' },
    {
      method: 'GET',
      pattern: '/v1/audit-events/verify',
      url: '/v1/audit-events/verify',
      permission: 'audit:read',
    },
    { method: 'GET', pattern: '/v1/usage', url: '/v1/usage', permission: 'usage:read' },
    {
      method: 'GET',
      pattern: '/v1/keys/:id/usage',
      url: `/v1/keys/${f.keyId}/usage`,
      permission: 'usage:read',
    },
    { method: 'GET', pattern: '/v1/alerts', url: '/v1/alerts', permission: 'alerts:read' },
    { method: 'GET', pattern: '/v1/alerts/:id', url: `/v1/alerts/${f.alertId}`, permission: 'alerts:read' },
    {
      method: 'POST',
      pattern: '/v1/alerts/:id/acknowledge',
      url: `/v1/alerts/${f.alertId}/acknowledge`,
      permission: 'alerts:write',
    },
    {
      method: 'GET',
      pattern: '/v1/workspace/policy',
      url: '/v1/workspace/policy',
      permission: 'alerts:read',
    },
    {
      method: 'PUT',
      pattern: '/v1/workspace/policy',
      url: '/v1/workspace/policy',
      permission: 'alerts:write',
      body: {},
    },
    {
      method: 'POST',
      pattern: '/v1/webhooks',
      url: '/v1/webhooks',
      permission: 'webhooks:write',
      body: { url: 'http://127.0.0.1:9/new', events: ['key.revoked'] },
    },
    { method: 'GET', pattern: '/v1/webhooks', url: '/v1/webhooks', permission: 'webhooks:read' },
    {
      method: 'GET',
      pattern: '/v1/webhooks/:id',
      url: `/v1/webhooks/${f.webhookId}`,
      permission: 'webhooks:read',
    },
    {
      method: 'PATCH',
      pattern: '/v1/webhooks/:id',
      url: `/v1/webhooks/${f.webhookId}`,
      permission: 'webhooks:write',
      body: { enabled: false },
    },
    {
      method: 'DELETE',
      pattern: '/v1/webhooks/:id',
      url: `/v1/webhooks/${f.webhookId}`,
      permission: 'webhooks:write',
    },
    {
      method: 'POST',
      pattern: '/v1/webhooks/:id/rotate-secret',
      url: `/v1/webhooks/${f.webhookId}/rotate-secret`,
      permission: 'webhooks:write',
    },
    {
      method: 'GET',
      pattern: '/v1/webhooks/:id/deliveries',
      url: `/v1/webhooks/${f.webhookId}/deliveries`,
      permission: 'webhooks:read',
    },
    {
      // No message: messages are queued by events, not by this route; a well-formed unknown id.
      method: 'POST',
      pattern: '/v1/webhooks/:id/messages/:messageId/retry',
      url: `/v1/webhooks/${f.webhookId}/messages/msg_${f.alertId.slice(-22)}/retry`,
      permission: 'webhooks:write',
    },
  ];
}

/** The customer portal's admin routes (served when the app has `sessions`). */
export function portalCatalog(f: Fixtures): CatalogRoute[] {
  return [
    {
      method: 'POST',
      pattern: '/v1/portal/sessions',
      url: '/v1/portal/sessions',
      permission: 'keys:write',
      body: { externalId: f.externalId },
    },
    {
      method: 'GET',
      pattern: '/v1/apis/:id/portal-policy',
      url: `/v1/apis/${f.apiId}/portal-policy`,
      permission: 'apis:read',
    },
    {
      method: 'PUT',
      pattern: '/v1/apis/:id/portal-policy',
      url: `/v1/apis/${f.apiId}/portal-policy`,
      permission: 'apis:write',
      body: { enabled: true, allowCreate: true },
    },
    { method: 'GET', pattern: '/v1/portal/branding', url: '/v1/portal/branding', permission: 'apis:read' },
    {
      method: 'PUT',
      pattern: '/v1/portal/branding',
      url: '/v1/portal/branding',
      permission: 'apis:write',
      body: { name: 'Amp', accentColor: '#0a7f5a' },
    },
  ];
}

/** Routes that name one resource by id (a foreign id must be unknown there). */
export const targetsResource = (route: CatalogRoute): boolean => route.pattern.includes(':id');
