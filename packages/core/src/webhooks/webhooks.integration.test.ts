import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../keys/ids.js';
import { createPostgresHandle, createPostgresPool, migratePostgres } from '../store/postgres.js';
import { createSqliteHandle, migrateSqlite, openSqliteDatabase } from '../store/sqlite.js';
import { serviceAvailable } from '../testing/services.js';
import { createThrowawayDatabase } from '../testing/throwaway-postgres.js';
import { createHttpDeliver } from './deliver.js';
import { createWebhookDispatcher, type WebhookDispatcher } from './dispatcher.js';
import { DEFAULT_RETRY_SCHEDULE } from './retry-schedule.js';
import { generateWebhookSecret } from './signature.js';
import { envelopeBody, type WebhookEventType } from './webhook-events.js';
import type { WebhookEndpoint } from './webhook-model.js';
import { startReceiver } from './webhook-receiver.fixtures.js';
import { createWebhookStore, type WebhookStore } from './webhook-store.js';

const T0 = Date.UTC(2030, 0, 1);
const PEPPER = 'a pepper of at least thirty-two characters!';

interface Backend {
  store: WebhookStore;
  cleanup(): Promise<void>;
}

async function sqlite(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-webhooks-'));
  const sql = createSqliteHandle({ database: openSqliteDatabase(join(dir, 'keyward.db')) });
  await migrateSqlite(sql);
  const store = createWebhookStore(sql, { pepper: PEPPER });
  return {
    store,
    async cleanup() {
      await sql.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgres(): Promise<Backend> {
  const database = await createThrowawayDatabase();
  const pool = createPostgresPool(database.url);
  // `drop database … with (force)` at cleanup may kill a connection pg-pool is still closing.
  pool.on('error', () => {});
  const sql = createPostgresHandle({ pool });
  await migratePostgres(sql);
  const store = createWebhookStore(sql, { pepper: PEPPER });
  return {
    store,
    async cleanup() {
      await sql.close();
      await database.drop();
    },
  };
}

const backends: Array<[string, () => Promise<Backend>]> = [['sqlite file', sqlite]];
if (await serviceAvailable('postgres')) backends.push(['postgres', postgres]);

for (const [name, open] of backends) {
  describe(`webhook delivery on ${name}`, () => {
    let backend: Backend | null = null;
    let receiver: Awaited<ReturnType<typeof startReceiver>> | null = null;
    let clock = T0;
    let secret = generateWebhookSecret();
    afterEach(async () => {
      await receiver?.close();
      await backend?.cleanup();
      receiver = null;
      backend = null;
    });

    async function setup(events: WebhookEventType[] = ['key.created']) {
      clock = T0;
      secret = generateWebhookSecret();
      backend = await open();
      receiver = await startReceiver(() => secret);
      const endpoint: WebhookEndpoint = {
        id: newId('wh'),
        workspaceId: newId('ws'),
        url: receiver.url,
        description: 'billing',
        events,
        enabled: true,
        secret,
        createdAt: T0,
        updatedAt: T0,
      };
      await backend.store.createEndpoint(endpoint);
      const deliveries: string[] = [];
      const dispatcher: WebhookDispatcher = createWebhookDispatcher({
        store: backend.store,
        deliver: createHttpDeliver({ addressPolicy: 'loopback', timeoutMs: 2000 }),
        now: () => clock,
        onDelivery: (d) => deliveries.push(`${d.eventType}:${d.outcome}`),
      });
      return { store: backend.store, receiver, endpoint, dispatcher, deliveries };
    }

    it('delivers a signed event once to the endpoints subscribed to it', async () => {
      const { store, receiver, endpoint, dispatcher, deliveries } = await setup();
      const body = envelopeBody('key.created', { key: { id: 'key_1' } }, T0);
      const [message, ...others] = await store.enqueue(endpoint.workspaceId, 'key.created', body, T0);
      expect(others).toEqual([]);
      await expect(store.enqueue(endpoint.workspaceId, 'key.revoked', '{}', T0)).resolves.toEqual([]);
      await expect(store.enqueue(newId('ws'), 'key.created', '{}', T0)).resolves.toEqual([]);

      clock = T0 + 1500;
      await expect(dispatcher.runOnce()).resolves.toBe(1);
      expect(receiver.received).toHaveLength(1);
      const [got] = receiver.received;
      expect(got?.signatureValid).toBe(true);
      expect(got?.headers['webhook-id']).toBe(message?.id);
      expect(got?.headers['webhook-timestamp']).toBe(String(Math.floor(clock / 1000)));
      expect(got?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(got?.body ?? '')).toEqual({
        type: 'key.created',
        timestamp: '2030-01-01T00:00:00.000Z',
        data: { key: { id: 'key_1' } },
      });
      await expect(dispatcher.runOnce()).resolves.toBe(0);
      await expect(store.getMessage(endpoint.workspaceId, message?.id as string)).resolves.toMatchObject({
        status: 'succeeded',
        attempts: 1,
        nextAttemptAt: null,
      });
      const log = await store.listDeliveries(endpoint.workspaceId, endpoint.id, {});
      expect(log.items).toEqual([
        expect.objectContaining({
          messageId: message?.id,
          attempt: 1,
          outcome: 'success',
          responseStatus: 204,
          error: null,
        }),
      ]);
      expect(deliveries).toEqual(['key.created:success']);
      await expect(store.listDeliveries(newId('ws'), endpoint.id, {})).resolves.toMatchObject({ items: [] });
    });

    it('retries a failing receiver along the backoff schedule, then gives up', async () => {
      const { store, receiver, endpoint, dispatcher } = await setup();
      receiver.answerWith((_req, res) => res.writeHead(503).end('down'));
      const [message] = await store.enqueue(endpoint.workspaceId, 'key.created', '{"n":1}', T0);
      const due: number[] = [T0];
      for (const delay of DEFAULT_RETRY_SCHEDULE) due.push((due.at(-1) as number) + delay);
      for (const [i, at] of due.entries()) {
        // Just before it is due, nothing goes out.
        clock = at - 1;
        await expect(dispatcher.runOnce()).resolves.toBe(0);
        clock = at;
        await expect(dispatcher.runOnce()).resolves.toBe(1);
        expect(receiver.received).toHaveLength(i + 1);
      }
      clock += 48 * 3_600_000;
      await expect(dispatcher.runOnce()).resolves.toBe(0);
      expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
      // Each attempt is signed afresh with its own timestamp, under the same webhook-id.
      expect(new Set(receiver.received.map((r) => r.headers['webhook-timestamp'])).size).toBe(7);
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([message?.id]));

      const log = await store.listDeliveries(endpoint.workspaceId, endpoint.id, { limit: 100 });
      expect(log.items.map((d) => [d.attempt, d.outcome, d.responseStatus, d.nextAttemptAt])).toEqual(
        due.map((_at, i) => [i + 1, 'failure', 503, due[i + 1] ?? null]).reverse(),
      );
      expect(log.items[0]?.error).toContain('503');
      await expect(store.getMessage(endpoint.workspaceId, message?.id as string)).resolves.toMatchObject({
        status: 'failed',
        attempts: 7,
      });

      // Once the receiver recovers, new events go through (and the failed one stays failed).
      receiver.answerWith((_req, res) => res.writeHead(200).end());
      await store.enqueue(endpoint.workspaceId, 'key.created', '{"n":2}', clock);
      await expect(dispatcher.runOnce()).resolves.toBe(1);
      await expect(
        store.listDeliveries(endpoint.workspaceId, endpoint.id, { limit: 1 }),
      ).resolves.toMatchObject({
        items: [{ attempt: 1, outcome: 'success' }],
      });
    });

    it('follows no redirect, and gives up on a receiver that never answers', async () => {
      const { store, receiver, endpoint, dispatcher } = await setup();
      receiver.answerWith((_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end());
      await store.enqueue(endpoint.workspaceId, 'key.created', '{}', T0);
      await dispatcher.runOnce();
      expect(receiver.received).toHaveLength(1);
      await expect(store.listDeliveries(endpoint.workspaceId, endpoint.id, {})).resolves.toMatchObject({
        items: [{ outcome: 'failure', responseStatus: 302 }],
      });

      receiver.answerWith(() => {}); // never answers
      const slow = createWebhookDispatcher({
        store,
        deliver: createHttpDeliver({ addressPolicy: 'loopback', timeoutMs: 200 }),
        now: () => clock,
      });
      clock = T0 + 10_000;
      await slow.runOnce();
      const [latest] = (await store.listDeliveries(endpoint.workspaceId, endpoint.id, {})).items;
      expect(latest).toMatchObject({ attempt: 2, outcome: 'failure', responseStatus: null });
      expect(latest?.error).toContain('no answer within 200 ms');
    });

    it('refuses receivers on blocked addresses (SSRF) and logs why', async () => {
      const { store, endpoint } = await setup();
      await store.updateEndpoint(endpoint.workspaceId, endpoint.id, { url: 'http://10.0.0.1:9/x' }, T0);
      const strict = createWebhookDispatcher({
        store,
        deliver: createHttpDeliver({ addressPolicy: 'loopback' }),
        now: () => clock,
      });
      await store.enqueue(endpoint.workspaceId, 'key.created', '{}', T0);
      await strict.runOnce();
      const [attempt] = (await store.listDeliveries(endpoint.workspaceId, endpoint.id, {})).items;
      expect(attempt).toMatchObject({ outcome: 'failure', responseStatus: null });
      expect(attempt?.error).toContain('blocks');
      // The default policy (public only) refuses the loopback receiver too.
      await store.updateEndpoint(endpoint.workspaceId, endpoint.id, { url: receiver?.url as string }, T0);
      const publicOnly = createWebhookDispatcher({ store, now: () => clock });
      clock = T0 + 10_000;
      await publicOnly.runOnce();
      expect(receiver?.received).toHaveLength(0);
    });

    // The store itself (outbox leases, sealed secrets, ...): testing/webhook-store.conformance.ts.

    it('runs in the background once started and stops cleanly', async () => {
      const { store, receiver, endpoint, dispatcher } = await setup();
      dispatcher.start();
      await store.enqueue(endpoint.workspaceId, 'key.created', '{}', T0);
      dispatcher.notify();
      for (let i = 0; i < 200 && receiver.received.length === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      await dispatcher.stop();
      expect(receiver.received).toHaveLength(1);
    });
  });
}
