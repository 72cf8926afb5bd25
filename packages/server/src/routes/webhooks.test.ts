import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@keyward/core/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { clientFor } from '../testing/test-client.js';

interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: string;
}

let t: TestApp;
let server: http.Server;
let receiverUrl = '';
const received: Delivery[] = [];
let status = 200;

beforeAll(async () => {
  t = await createTestApp();
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keyward`;
});
afterAll(async () => {
  await t.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const verified = (delivery: Delivery, secret: string) =>
  verifyWebhook(
    secret,
    {
      id: String(delivery.headers['webhook-id']),
      timestamp: String(delivery.headers['webhook-timestamp']),
      signature: String(delivery.headers['webhook-signature']),
    },
    delivery.body,
    { now: t.clock.now() },
  );

describe('/v1/webhooks', () => {
  it('creates an endpoint, answering its secret once, and manages it (audited, no secret in views)', async () => {
    const api = clientFor(t.app, t.a.rootKey);
    const created = await api.post('/v1/webhooks', {
      url: receiverUrl,
      events: ['key.created'],
      description: 'ops',
    });
    expect(created.statusCode).toBe(201);
    const hook = created.json();
    expect(hook).toMatchObject({
      url: receiverUrl,
      events: ['key.created'],
      enabled: true,
      description: 'ops',
    });
    expect(hook.secret).toMatch(/^whsec_/);
    const fetched = (await api.get(`/v1/webhooks/${hook.id}`)).json();
    expect(fetched.secret).toBeUndefined();
    expect((await api.get('/v1/webhooks')).json().items.map((w: { id: string }) => w.id)).toEqual([hook.id]);

    const patched = await api.patch(`/v1/webhooks/${hook.id}`, { events: ['key.created', 'key.revoked'] });
    expect(patched.json().events).toEqual(['key.created', 'key.revoked']);
    const rotated = (await api.post(`/v1/webhooks/${hook.id}/rotate-secret`)).json();
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(hook.secret);

    const audit = JSON.stringify((await api.get(`/v1/audit-events?targetId=${hook.id}`)).json().items);
    expect(audit).toContain('webhook.create');
    expect(audit).toContain('webhook.rotate_secret');
    expect(audit).not.toContain(hook.secret);
    expect(audit).not.toContain(rotated.secret);

    expect((await api.delete(`/v1/webhooks/${hook.id}`)).statusCode).toBe(204);
    expect((await api.get(`/v1/webhooks/${hook.id}`)).statusCode).toBe(404);
  });

  it('refuses URLs that are not http(s) and keeps tenants apart', async () => {
    const api = clientFor(t.app, t.a.rootKey);
    for (const url of ['ftp://example.com/x', 'https://user:pass@example.com/', 'not a url']) {
      const res = await api.post('/v1/webhooks', { url, events: ['key.created'] });
      expect({ url, status: res.statusCode, field: res.json().errors?.[0]?.field }).toEqual({
        url,
        status: 400,
        field: 'body.url',
      });
    }
    expect((await api.post('/v1/webhooks', { url: receiverUrl, events: [] })).statusCode).toBe(400);
    const hook = (await api.post('/v1/webhooks', { url: receiverUrl, events: ['key.created'] })).json();
    const other = clientFor(t.app, t.b.rootKey);
    expect((await other.get(`/v1/webhooks/${hook.id}`)).statusCode).toBe(404);
    expect((await other.patch(`/v1/webhooks/${hook.id}`, { enabled: false })).statusCode).toBe(404);
    expect((await other.get(`/v1/webhooks/${hook.id}/deliveries`)).statusCode).toBe(404);
    expect((await other.delete(`/v1/webhooks/${hook.id}`)).statusCode).toBe(404);
    expect((await other.get('/v1/webhooks')).json().items).toEqual([]);
    await api.delete(`/v1/webhooks/${hook.id}`);
  });

  it('needs webhooks:read and webhooks:write', async () => {
    const reader = clientFor(t.app, await t.rootKey(['webhooks:read']));
    const keys = clientFor(t.app, await t.rootKey(['keys:write']));
    expect((await reader.get('/v1/webhooks')).statusCode).toBe(200);
    expect((await keys.get('/v1/webhooks')).statusCode).toBe(403);
    expect(
      (await reader.post('/v1/webhooks', { url: receiverUrl, events: ['key.created'] })).statusCode,
    ).toBe(403);
  });

  it('sends signed key events from the key services, and logs every attempt', async () => {
    const api = clientFor(t.app, t.a.rootKey);
    const hook = (
      await api.post('/v1/webhooks', {
        url: receiverUrl,
        events: ['key.created', 'key.updated', 'key.rolled', 'key.revoked'],
      })
    ).json();
    const apiId = (await api.post('/v1/apis', { name: 'hooks', prefix: 'hk' })).json().id;
    const before = t.notified();
    const key = (await api.post('/v1/keys', { apiId, name: 'first' })).json();
    await api.patch(`/v1/keys/${key.id}`, { name: 'renamed' });
    await api.post(`/v1/keys/${key.id}/roll`, { gracePeriodMs: 0 });
    await api.post(`/v1/keys/${key.id}/revoke`);
    // Another workspace's keys reach nobody here.
    const otherApi = (
      await clientFor(t.app, t.b.rootKey).post('/v1/apis', { name: 'b', prefix: 'bb' })
    ).json().id;
    await clientFor(t.app, t.b.rootKey).post('/v1/keys', { apiId: otherApi });
    expect(t.notified() - before).toBe(4);

    received.length = 0;
    await expect(t.dispatcher.runOnce()).resolves.toBe(4);
    const types = received.map((d) => JSON.parse(d.body).type).sort();
    expect(types).toEqual(['key.created', 'key.revoked', 'key.rolled', 'key.updated']);
    for (const delivery of received) expect(verified(delivery, hook.secret)).toBe(true);
    const bodies = received.map((d) => d.body).join('\n');
    expect(bodies).not.toContain(key.key);
    const updated = received.map((d) => JSON.parse(d.body)).find((e) => e.type === 'key.updated');
    expect(updated.data).toMatchObject({ key: { id: key.id, name: 'renamed' }, previous: { name: 'first' } });

    const log = (await api.get(`/v1/webhooks/${hook.id}/deliveries`)).json();
    expect(log.items).toHaveLength(4);
    expect(
      log.items.every(
        (d: { outcome: string; attempt: number }) => d.outcome === 'success' && d.attempt === 1,
      ),
    ).toBe(true);

    // A failing receiver: the attempt is logged with its retry time.
    status = 500;
    await api.patch(`/v1/keys/${key.id}`, { name: 'again' });
    await t.dispatcher.runOnce();
    const [latest] = (await api.get(`/v1/webhooks/${hook.id}/deliveries?limit=1`)).json().items;
    expect(latest).toMatchObject({
      outcome: 'failure',
      responseStatus: 500,
      attempt: 1,
      nextAttemptAt: t.clock.now() + 5000,
    });
    status = 200;
    t.clock.advance(5000);
    await t.dispatcher.runOnce();
    const [retried] = (await api.get(`/v1/webhooks/${hook.id}/deliveries?limit=1`)).json().items;
    expect(retried).toMatchObject({ outcome: 'success', attempt: 2, messageId: latest.messageId });
  });
});
