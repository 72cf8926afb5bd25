import type { RootPermission } from '@keyward/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../src/auth.js';
import { call, clientFor, type TestClient } from '../../src/testing/test-client.js';
import { createFullApp, type FullApp } from './support/full-app.js';

/**
 * Tenant isolation and permission checks generated from the app's own route table
 * (`app.keywardRoutes`: every route the server registers, usage and webhooks included).
 * Every admin route must have a case below (a new route without one fails here), and every
 * case is sent:
 * - without credentials: 401;
 * - with another workspace's `*` root key: never a 5xx, never any of A's ids in the answer,
 *   404 where it names A's resource, and none of A's rows changed;
 * - with A's root key lacking the route's permission: 403, nothing changed;
 * - with A's root key scoped to A's other API: refused (403/404), nothing changed;
 * - on root-key routes, with a `root_keys:write` key against A's `*` key: 403, nothing changed.
 */
interface Case {
  url: string;
  body?: unknown;
}

interface Fixtures {
  apiId: string;
  otherApiId: string;
  consumerId: string;
  keyId: string;
  key: string;
  roleId: string;
  roleName: string;
  rootKeyId: string;
  alertId: string;
  webhookId: string;
}

/** A request of A's resources for every admin route, by `METHOD pattern`. */
const cases = (f: Fixtures): Record<string, Case> => ({
  'POST /v1/apis': { url: '/v1/apis', body: { name: 'n', prefix: 'newp' } },
  'GET /v1/apis': { url: '/v1/apis' },
  'GET /v1/apis/:id': { url: `/v1/apis/${f.apiId}` },
  'PATCH /v1/apis/:id': { url: `/v1/apis/${f.apiId}`, body: { name: 'm' } },
  'DELETE /v1/apis/:id': { url: `/v1/apis/${f.apiId}` },
  'POST /v1/consumers': { url: '/v1/consumers', body: { externalId: 'new-consumer' } },
  'GET /v1/consumers': { url: '/v1/consumers' },
  'GET /v1/consumers/:id': { url: `/v1/consumers/${f.consumerId}` },
  'PATCH /v1/consumers/:id': { url: `/v1/consumers/${f.consumerId}`, body: { name: 'x' } },
  'DELETE /v1/consumers/:id': { url: `/v1/consumers/${f.consumerId}` },
  'POST /v1/keys': { url: '/v1/keys', body: { apiId: f.apiId } },
  'GET /v1/keys': { url: '/v1/keys' },
  'GET /v1/keys/:id': { url: `/v1/keys/${f.keyId}` },
  'PATCH /v1/keys/:id': { url: `/v1/keys/${f.keyId}`, body: { name: 'x' } },
  'DELETE /v1/keys/:id': { url: `/v1/keys/${f.keyId}` },
  'POST /v1/keys/:id/revoke': { url: `/v1/keys/${f.keyId}/revoke` },
  'POST /v1/keys/:id/roll': { url: `/v1/keys/${f.keyId}/roll`, body: { gracePeriodMs: 0 } },
  'POST /v1/keys/:id/roles': { url: `/v1/keys/${f.keyId}/roles`, body: { roles: [f.roleName] } },
  'DELETE /v1/keys/:id/roles/:name': { url: `/v1/keys/${f.keyId}/roles/${f.roleName}` },
  'GET /v1/keys/:id/usage': { url: `/v1/keys/${f.keyId}/usage` },
  'GET /v1/keys/:id/rotation': { url: `/v1/keys/${f.keyId}/rotation` },
  'POST /v1/keys/:id/rotation/extend': {
    url: `/v1/keys/${f.keyId}/rotation/extend`,
    body: { extendBySeconds: 60 },
  },
  'POST /v1/keys/:id/rotation/end': { url: `/v1/keys/${f.keyId}/rotation/end`, body: {} },
  'POST /v1/keys/import': {
    url: '/v1/keys/import',
    body: { apiId: f.apiId, keys: [{ sha256: 'ab'.repeat(32) }] },
  },
  'POST /v1/keys/verify': { url: '/v1/keys/verify', body: { key: f.key } },
  'POST /v1/keys/report-leak': { url: '/v1/keys/report-leak', body: { keys: [{ key: f.key }] } },
  'POST /v1/roles': { url: '/v1/roles', body: { name: 'new-role', permissions: [] } },
  'GET /v1/roles': { url: '/v1/roles' },
  'GET /v1/roles/:id': { url: `/v1/roles/${f.roleId}` },
  'PATCH /v1/roles/:id': { url: `/v1/roles/${f.roleId}`, body: { description: 'd' } },
  'DELETE /v1/roles/:id': { url: `/v1/roles/${f.roleId}` },
  'POST /v1/root-keys': { url: '/v1/root-keys', body: { permissions: ['keys:read'] } },
  'GET /v1/root-keys': { url: '/v1/root-keys' },
  'GET /v1/root-keys/:id': { url: `/v1/root-keys/${f.rootKeyId}` },
  'POST /v1/root-keys/:id/roll': { url: `/v1/root-keys/${f.rootKeyId}/roll` },
  'POST /v1/root-keys/:id/revoke': { url: `/v1/root-keys/${f.rootKeyId}/revoke` },
  'GET /v1/audit': { url: '/v1/audit' },
  'GET /v1/audit-events': { url: '/v1/audit-events' },
  'GET /v1/audit-events/verify': { url: '/v1/audit-events/verify' },
  'GET /v1/alerts': { url: '/v1/alerts' },
  'GET /v1/alerts/:id': { url: `/v1/alerts/${f.alertId}` },
  'POST /v1/alerts/:id/acknowledge': { url: `/v1/alerts/${f.alertId}/acknowledge` },
  'GET /v1/workspace/policy': { url: '/v1/workspace/policy' },
  'PUT /v1/workspace/policy': { url: '/v1/workspace/policy', body: { leakedKeys: { action: 'alert' } } },
  'POST /v1/webhooks': {
    url: '/v1/webhooks',
    body: { url: 'https://example.com/hook', events: ['key.created'] },
  },
  'GET /v1/webhooks': { url: '/v1/webhooks' },
  'GET /v1/webhooks/:id': { url: `/v1/webhooks/${f.webhookId}` },
  'PATCH /v1/webhooks/:id': { url: `/v1/webhooks/${f.webhookId}`, body: { enabled: false } },
  'DELETE /v1/webhooks/:id': { url: `/v1/webhooks/${f.webhookId}` },
  'POST /v1/webhooks/:id/rotate-secret': { url: `/v1/webhooks/${f.webhookId}/rotate-secret` },
  'GET /v1/webhooks/:id/deliveries': { url: `/v1/webhooks/${f.webhookId}/deliveries` },
  'POST /v1/webhooks/:id/messages/:messageId/retry': {
    // No message: messages are queued by events; a well-formed id that names none.
    url: `/v1/webhooks/${f.webhookId}/messages/msg_0000000000000000000000/retry`,
  },
  'GET /v1/usage': { url: '/v1/usage' },
  'POST /v1/portal/sessions': { url: '/v1/portal/sessions', body: { externalId: 'ext-a' } },
  'GET /v1/apis/:id/portal-policy': { url: `/v1/apis/${f.apiId}/portal-policy` },
  'PUT /v1/apis/:id/portal-policy': {
    url: `/v1/apis/${f.apiId}/portal-policy`,
    body: { enabled: true, allowCreate: true },
  },
  'GET /v1/apis/:id/policies/lifetime': { url: `/v1/apis/${f.apiId}/policies/lifetime` },
  'PUT /v1/apis/:id/policies/lifetime': {
    url: `/v1/apis/${f.apiId}/policies/lifetime`,
    body: { maxTtlDays: 30 },
  },
  'DELETE /v1/apis/:id/policies/lifetime': { url: `/v1/apis/${f.apiId}/policies/lifetime` },
  'GET /v1/apis/:id/policies/publishable': { url: `/v1/apis/${f.apiId}/policies/publishable` },
  'PUT /v1/apis/:id/policies/publishable': {
    url: `/v1/apis/${f.apiId}/policies/publishable`,
    body: { publicPermissions: ['stations:read'], allowedOrigins: ['https://app.example.com'] },
  },
  'GET /v1/apis/:id/policies/child-keys': { url: `/v1/apis/${f.apiId}/policies/child-keys` },
  'PUT /v1/apis/:id/policies/child-keys': {
    url: `/v1/apis/${f.apiId}/policies/child-keys`,
    body: { enabled: false, maxExpiresInSeconds: 60, maxDepth: 1 },
  },
  'GET /v1/portal/branding': { url: '/v1/portal/branding' },
  'PUT /v1/portal/branding': { url: '/v1/portal/branding', body: { name: 'Portal' } },
});

let t: FullApp;
let f: Fixtures;
let routes: Array<RouteEntry & { permission: RootPermission; case: Case }>;
let aIds: string[];

beforeAll(async () => {
  t = await createFullApp();
  const asA: TestClient = clientFor(t.app, t.a.rootKey);
  const apiId = (await asA.post('/v1/apis', { name: 'x', prefix: 'xapi' })).json().id;
  const otherApiId = (await asA.post('/v1/apis', { name: 'y', prefix: 'yapi' })).json().id;
  const consumerId = (await asA.post('/v1/consumers', { externalId: 'ext-a' })).json().id;
  const role = (await asA.post('/v1/roles', { name: 'role-a', permissions: ['x:read'] })).json();
  const created = (await asA.post('/v1/keys', { apiId, consumerId, roles: [role.name] })).json();
  const rootKeyId = (await asA.post('/v1/root-keys', { permissions: ['keys:read'] })).json().id;
  const webhookId = (
    await asA.post('/v1/webhooks', { url: 'https://example.com/a', events: ['key.created'] })
  ).json().id;
  const { alert } = await t.monitoring.alerts.raise(
    t.a.id,
    {
      detector: 'key_leaked',
      subject: { type: 'key', id: created.id },
      severity: 'critical',
      summary: 's',
      evidence: {},
    },
    t.clock.now(),
  );
  f = {
    apiId,
    otherApiId,
    consumerId,
    keyId: created.id,
    key: created.key,
    roleId: role.id,
    roleName: role.name,
    rootKeyId,
    alertId: alert.id,
    webhookId,
  };
  await asA.post('/v1/keys/verify', { key: f.key });
  await t.usage.flush();
  aIds = [t.a.id, t.a.rootKeyId, ...Object.values(f).filter((v) => v.includes('_') && v !== f.roleName)];
  const table = cases(f);
  routes = t.app.keywardRoutes
    .filter((r) => r.url.startsWith('/v1/') && r.permission !== undefined)
    .map((r) => ({
      ...r,
      permission: r.permission as RootPermission,
      case: table[`${r.method} ${r.url}`] as Case,
    }));
});
afterAll(async () => {
  await t.close();
});

/** The rows that hold anything of workspace A. */
const rowsOfA = () =>
  Object.fromEntries(
    Object.entries(t.dump()).map(([table, rows]) => [
      table,
      rows.filter((row) => aIds.some((id) => String(row).includes(id))),
    ]),
  );

const send = (route: (typeof routes)[number], rootKey: string | null) =>
  call(t.app, rootKey, route.method as 'GET', route.case.url, route.case.body);

/** A permission that does not imply `required` (nor is implied by it). */
const unrelated = (required: string): string => (required.startsWith('usage') ? 'audit:read' : 'usage:read');

describe('the route table', () => {
  it('every admin route has a case here, and every route is guarded or public on purpose', () => {
    expect(routes.length).toBeGreaterThan(45);
    for (const route of routes)
      expect({ route: `${route.method} ${route.url}`, covered: route.case !== undefined }).toEqual({
        route: `${route.method} ${route.url}`,
        covered: true,
      });
    const publicV1 = t.app.keywardRoutes.filter(
      (r) => r.url.startsWith('/v1/') && r.permission === undefined,
    );
    // The mint route is authenticated by the parent key itself (routes/child-keys.ts), not by a root key.
    expect(publicV1.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
      'POST /v1/keys/children',
      'POST /v1/secret-scanning/github',
    ]);
  });

  it('no credentials: 401 everywhere', async () => {
    for (const route of routes) {
      const res = await send(route, null);
      expect({ route: route.url, method: route.method, status: res.statusCode }).toEqual({
        route: route.url,
        method: route.method,
        status: 401,
      });
    }
  });

  it("another workspace's * root key: 404 for A's resources, none of A's ids answered, none of A's rows changed", async () => {
    const before = rowsOfA();
    for (const route of routes) {
      const res = await send(route, t.b.rootKey);
      const label = `${route.method} ${route.url}`;
      expect({ label, serverError: res.statusCode >= 500 }).toEqual({ label, serverError: false });
      if (route.url.includes('/:')) expect({ label, status: res.statusCode }).toEqual({ label, status: 404 });
      // An id the request itself named may be echoed (`instance`); any other is a leak.
      const sent = `${route.case.url} ${JSON.stringify(route.case.body ?? null)}`;
      for (const id of aIds.filter((id) => !sent.includes(id)))
        expect({ label, leaked: res.body.includes(id) }).toEqual({ label, leaked: false });
      expect(res.body.includes(f.key)).toBe(false);
    }
    expect(rowsOfA()).toEqual(before);
  });

  it("A's root key lacking the route's permission: 403, nothing changed", async () => {
    const before = t.dump();
    for (const route of routes) {
      const res = await send(route, await t.rootKey([unrelated(route.permission)]));
      const label = `${route.method} ${route.url}`;
      expect({ label, status: res.statusCode }).toEqual({ label, status: 403 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    // Issuing the narrow keys added root keys and their audit events only.
    const after = t.dump();
    for (const table of Object.keys(before).filter(
      (name) => !['root_keys', 'audit_events', 'audit_chain_heads'].includes(name),
    ))
      expect({ table, rows: after[table] }).toEqual({ table, rows: before[table] });
  });

  it("A's root key scoped to A's other API: refused everywhere, nothing of API X changed", async () => {
    const scoped = await t.rootKey([`api.${f.otherApiId}.keys:write`, `api.${f.otherApiId}.keys:verify`]);
    const before = t.dump();
    for (const route of routes) {
      const res = await send(route, scoped);
      const label = `${route.method} ${route.url}`;
      if (route.url === '/v1/keys/report-leak') {
        // Reports are answered: a key of another API is a false positive, and nothing is done to it.
        expect(res.json().items[0]).toMatchObject({ label: 'false_positive', keyId: null, action: 'none' });
        continue;
      }
      expect({ label, refused: [403, 404].includes(res.statusCode) }).toEqual({ label, refused: true });
    }
    const after = t.dump();
    for (const table of Object.keys(before).filter((name) => name !== 'leak_reports'))
      expect({ table, rows: after[table] }).toEqual({ table, rows: before[table] });
  });

  it("a root_keys:write key against A's * key: 403 on every root-key route naming it, nothing changed", async () => {
    const narrow = await t.rootKey(['root_keys:write']);
    const before = t.dump();
    for (const route of routes.filter((r) => r.url.startsWith('/v1/root-keys/:id/'))) {
      const res = await call(t.app, narrow, 'POST', route.case.url.replace(f.rootKeyId, t.a.rootKeyId));
      expect({ route: route.url, status: res.statusCode }).toEqual({ route: route.url, status: 403 });
    }
    const star = await call(t.app, narrow, 'POST', '/v1/root-keys', { permissions: ['*'] });
    expect(star.statusCode).toBe(403);
    expect(t.dump()).toEqual(before);
  });
});
