import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../keys/ids.js';
import type { SqlHandle } from '../sql/sql-handle.js';
import type { WebhookEventType } from '../webhooks/webhook-events.js';
import type { WebhookDelivery, WebhookEndpoint } from '../webhooks/webhook-model.js';
import type { WebhookStore } from '../webhooks/webhook-store.js';

const T0 = Date.UTC(2030, 0, 1);
const LEASE = 60_000;

/** What each test of the suite gets: a fresh store on one database. */
export interface WebhookStoreUnderTest {
  /** Made with a pepper: secrets are sealed at rest. */
  store: WebhookStore;
  /** The database's handle: `within` is checked inside a transaction of it. */
  sql: SqlHandle;
  /** The `secret` column of an endpoint as stored. */
  storedSecret(id: string): Promise<string>;
  cleanup(): Promise<void>;
}

const endpoint = (workspaceId: string, over: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
  id: newId('wh'),
  workspaceId,
  url: 'https://example.com/hook',
  description: 'billing',
  events: ['key.created', 'key.revoked'],
  enabled: true,
  secret: `whsec_${newId('req')}`,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

const delivery = (message: { id: string; workspaceId: string; endpointId: string }, attempt: number) =>
  ({
    id: newId('dlv'),
    workspaceId: message.workspaceId,
    endpointId: message.endpointId,
    messageId: message.id,
    eventType: 'key.created',
    attempt,
    outcome: 'failure',
    responseStatus: 500,
    error: null,
    durationMs: 12,
    createdAt: T0 + attempt,
    nextAttemptAt: T0 + 1000 * attempt,
  }) satisfies WebhookDelivery;

/**
 * The `WebhookStore` contract (endpoints, outbox, delivery log) as a vitest suite, run
 * against every database keyward supports (SQLite file and `:memory:`, PostgreSQL).
 *
 * @example describeWebhookStoreConformance('sqlite :memory:', async () => ({ store, sql, storedSecret, cleanup }));
 */
export function describeWebhookStoreConformance(
  name: string,
  factory: () => Promise<WebhookStoreUnderTest>,
): void {
  describe(`WebhookStore conformance: ${name}`, () => {
    let t: WebhookStoreUnderTest;
    beforeEach(async () => {
      t = await factory();
    });
    afterEach(async () => {
      await t.cleanup();
    });

    it('creates, reads, pages, updates and deletes endpoints, one workspace at a time', async () => {
      const ws = newId('ws');
      const [a, b] = [endpoint(ws), endpoint(ws, { events: ['alert.raised'] })].sort((x, y) =>
        x.id < y.id ? -1 : 1,
      ) as [WebhookEndpoint, WebhookEndpoint];
      await t.store.createEndpoint(b);
      await t.store.createEndpoint(a);
      await expect(t.store.getEndpoint(ws, a.id)).resolves.toEqual(a);
      const page = await t.store.listEndpoints(ws, { limit: 1 });
      expect(page.items).toEqual([a]);
      await expect(t.store.listEndpoints(ws, { limit: 1, cursor: page.nextCursor })).resolves.toEqual({
        items: [b],
        nextCursor: null,
      });
      const updated = await t.store.updateEndpoint(
        ws,
        a.id,
        { description: null, events: ['key.updated'] },
        T0 + 5,
      );
      expect(updated).toEqual({ ...a, description: null, events: ['key.updated'], updatedAt: T0 + 5 });
      const other = newId('ws');
      await expect(t.store.getEndpoint(other, a.id)).resolves.toBeNull();
      await expect(t.store.listEndpoints(other, {})).resolves.toEqual({ items: [], nextCursor: null });
      await expect(t.store.updateEndpoint(other, a.id, { enabled: false }, T0)).resolves.toBeNull();
      await expect(t.store.deleteEndpoint(other, a.id)).resolves.toBe(false);
      await expect(t.store.deleteEndpoint(ws, a.id)).resolves.toBe(true);
      await expect(t.store.getEndpoint(ws, a.id)).resolves.toBeNull();
      await expect(t.store.deleteEndpoint(ws, a.id)).resolves.toBe(false);
    });

    it('seals secrets at rest and reads them back in clear, a rotated one too', async () => {
      const ws = newId('ws');
      const e = endpoint(ws);
      await t.store.createEndpoint(e);
      const stored = await t.storedSecret(e.id);
      expect(stored).toMatch(/^enc:v1:/);
      expect(stored).not.toContain(e.secret.slice(6));
      const rotated = `whsec_${newId('req')}`;
      await t.store.updateEndpoint(ws, e.id, { secret: rotated }, T0 + 1);
      await expect(t.store.getEndpoint(ws, e.id)).resolves.toMatchObject({ secret: rotated });
      expect(await t.storedSecret(e.id)).not.toContain(rotated.slice(6));
    });

    it('queues an event for each enabled endpoint subscribed to it, and for no one else', async () => {
      const ws = newId('ws');
      const subscribed = endpoint(ws);
      const elsewhere = endpoint(ws, { events: ['alert.raised'] });
      const disabled = endpoint(ws, { enabled: false });
      const otherWorkspace = endpoint(newId('ws'));
      for (const e of [subscribed, elsewhere, disabled, otherWorkspace]) await t.store.createEndpoint(e);
      const queued = await t.store.enqueue(ws, 'key.created', '{"n":1}', T0);
      expect(queued).toEqual([
        expect.objectContaining({
          workspaceId: ws,
          endpointId: subscribed.id,
          eventType: 'key.created',
          payload: '{"n":1}',
          status: 'pending',
          attempts: 0,
          nextAttemptAt: T0,
        }),
      ]);
      await expect(t.store.getMessage(ws, queued[0]?.id as string)).resolves.toEqual(queued[0]);
      await expect(t.store.getMessage(newId('ws'), queued[0]?.id as string)).resolves.toBeNull();
      await expect(t.store.enqueue(ws, 'usage.threshold' as WebhookEventType, '{}', T0)).resolves.toEqual([]);
    });

    it('holds a claimed message for its lease and hands it over after; skips disabled endpoints', async () => {
      const ws = newId('ws');
      const e = endpoint(ws);
      await t.store.createEndpoint(e);
      await t.store.enqueue(ws, 'key.created', '{}', T0);
      const [claimed] = await t.store.claim(T0, 10, LEASE);
      expect(claimed?.endpoint).toEqual(e);
      await expect(t.store.claim(T0 + 1, 10, LEASE)).resolves.toHaveLength(0);
      // A dispatcher that died mid-attempt: after the lease, another takes the message over.
      await expect(t.store.claim(T0 + LEASE, 10, LEASE)).resolves.toHaveLength(1);
      await t.store.updateEndpoint(ws, e.id, { enabled: false }, T0);
      await expect(t.store.claim(T0 + 10 * LEASE, 10, LEASE)).resolves.toHaveLength(0);
      await t.store.updateEndpoint(ws, e.id, { enabled: true }, T0);
      await expect(t.store.claim(T0 + 10 * LEASE, 10, LEASE)).resolves.toHaveLength(1);
      // Deleting the endpoint takes its outbox with it.
      await t.store.deleteEndpoint(ws, e.id);
      await expect(t.store.claim(T0 + 100 * LEASE, 10, LEASE)).resolves.toHaveLength(0);
    });

    it('claims at most the limit, due messages only, oldest first', async () => {
      const ws = newId('ws');
      await t.store.createEndpoint(endpoint(ws));
      const first = await t.store.enqueue(ws, 'key.created', '{"n":1}', T0);
      await t.store.enqueue(ws, 'key.created', '{"n":2}', T0 + 1);
      await t.store.enqueue(ws, 'key.created', '{"n":3}', T0 + 5_000);
      const claimed = await t.store.claim(T0 + 1, 1, LEASE);
      expect(claimed.map((c) => c.message.id)).toEqual([first[0]?.id]);
      await expect(t.store.claim(T0 + 1, 10, LEASE)).resolves.toHaveLength(1);
      await expect(t.store.claim(T0 + 1, 10, LEASE)).resolves.toHaveLength(0);
    });

    it('logs each attempt and moves its message on: pending again at the next attempt, or done', async () => {
      const ws = newId('ws');
      const e = endpoint(ws);
      await t.store.createEndpoint(e);
      const [message] = await t.store.enqueue(ws, 'key.created', '{}', T0);
      if (message === undefined) throw new Error('nothing queued');
      await t.store.claim(T0, 10, LEASE);
      await t.store.complete(delivery(message, 1), 'pending');
      await expect(t.store.getMessage(ws, message.id)).resolves.toMatchObject({
        status: 'pending',
        attempts: 1,
        nextAttemptAt: T0 + 1000,
      });
      // Released from the lease: due again at its next attempt, not before.
      await expect(t.store.claim(T0 + 999, 10, LEASE)).resolves.toHaveLength(0);
      await expect(t.store.claim(T0 + 1000, 10, LEASE)).resolves.toHaveLength(1);
      const last = {
        ...delivery(message, 2),
        outcome: 'success' as const,
        responseStatus: 204,
        nextAttemptAt: null,
      };
      await t.store.complete(last, 'succeeded');
      await expect(t.store.getMessage(ws, message.id)).resolves.toMatchObject({
        status: 'succeeded',
        attempts: 2,
        nextAttemptAt: null,
      });
      await expect(t.store.claim(T0 + 100 * LEASE, 10, LEASE)).resolves.toHaveLength(0);
      const page = await t.store.listDeliveries(ws, e.id, { limit: 1 });
      expect(page.items).toEqual([last]);
      const rest = await t.store.listDeliveries(ws, e.id, { limit: 1, cursor: page.nextCursor });
      expect(rest.items.map((d) => d.attempt)).toEqual([1]);
      await expect(t.store.listDeliveries(newId('ws'), e.id, {})).resolves.toEqual({
        items: [],
        nextCursor: null,
      });
    });

    it('writes inside a transaction of the database: an outbox row rolls back with it', async () => {
      const ws = newId('ws');
      const e = endpoint(ws);
      await t.store.createEndpoint(e);
      const rolledBack = t.sql.transaction(async (tx) => {
        const inside = t.store.within(tx);
        await inside.enqueue(ws, 'key.created', '{}', T0);
        await inside.updateEndpoint(ws, e.id, { description: 'changed' }, T0 + 1);
        throw new Error('roll back');
      });
      await expect(rolledBack).rejects.toThrow('roll back');
      await expect(t.store.claim(T0, 10, LEASE)).resolves.toHaveLength(0);
      await expect(t.store.getEndpoint(ws, e.id)).resolves.toEqual(e);
      await t.sql.transaction(async (tx) => {
        await t.store.within(tx).enqueue(ws, 'key.created', '{}', T0);
      });
      await expect(t.store.claim(T0, 10, LEASE)).resolves.toHaveLength(1);
    });
  });
}
