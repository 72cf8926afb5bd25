import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { clientFor } from '../testing/test-client.js';

let t: TestApp;
let server: http.Server;
let receiverUrl = '';
let status = 500;
const received: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(String(req.headers['webhook-id']));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await t.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('POST /v1/webhooks/:id/messages/:messageId/retry', () => {
  it('sends a failed message again now, audited, and only within its endpoint and workspace', async () => {
    const api = clientFor(t.app, t.a.rootKey);
    const hook = (await api.post('/v1/webhooks', { url: receiverUrl, events: ['key.created'] })).json();
    const apiId = (await api.post('/v1/apis', { name: 'hooks', prefix: 'rt' })).json().id;
    await api.post('/v1/keys', { apiId });
    await t.dispatcher.runOnce();
    const [failed] = (await api.get(`/v1/webhooks/${hook.id}/deliveries?limit=1`)).json().items;
    expect(failed).toMatchObject({ outcome: 'failure', attempt: 1 });
    const due = failed.nextAttemptAt as number;
    expect(due).toBeGreaterThan(t.clock.now());

    // Another workspace, another endpoint, an unknown message: 404 and nothing queued.
    const other = clientFor(t.app, t.b.rootKey);
    expect((await other.post(`/v1/webhooks/${hook.id}/messages/${failed.messageId}/retry`)).statusCode).toBe(
      404,
    );
    const second = (await api.post('/v1/webhooks', { url: receiverUrl, events: ['key.revoked'] })).json();
    expect((await api.post(`/v1/webhooks/${second.id}/messages/${failed.messageId}/retry`)).statusCode).toBe(
      404,
    );
    expect((await api.post(`/v1/webhooks/${hook.id}/messages/msg_unknown/retry`)).statusCode).toBe(404);
    received.length = 0;
    await t.dispatcher.runOnce();
    expect(received).toEqual([]);

    status = 200;
    const before = t.notified();
    const queued = await api.post(`/v1/webhooks/${hook.id}/messages/${failed.messageId}/retry`);
    expect(queued.statusCode).toBe(202);
    expect(queued.json()).toMatchObject({ messageId: failed.messageId, status: 'pending', attempts: 1 });
    expect(t.notified()).toBe(before + 1);
    // Due now, not at its scheduled retry.
    await t.dispatcher.runOnce();
    expect(received).toEqual([failed.messageId]);
    const [retried] = (await api.get(`/v1/webhooks/${hook.id}/deliveries?limit=1`)).json().items;
    expect(retried).toMatchObject({ outcome: 'success', attempt: 2, messageId: failed.messageId });
    const audit = (await api.get('/v1/audit-events?action=webhook.retry')).json().items;
    expect(audit).toHaveLength(1);

    const reader = await t.rootKey(['webhooks:read']);
    const refused = await clientFor(t.app, reader).post(
      `/v1/webhooks/${hook.id}/messages/${failed.messageId}/retry`,
    );
    expect(refused.statusCode).toBe(403);
  });
});
