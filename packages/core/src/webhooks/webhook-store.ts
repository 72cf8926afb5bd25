import type { Page, PageQuery, Patch } from '../contracts/store.js';
import { newId } from '../keys/ids.js';
import { inTransaction, type SqlExecutor, tablesOf } from '../sql/sql-handle.js';
import { pageBounds, toPage } from '../store/pagination.js';
import { createSecretBox } from './secret-box.js';
import type { WebhookEventType } from './webhook-events.js';
import type {
  WebhookDelivery,
  WebhookEndpoint,
  WebhookMessage,
  WebhookMessageStatus,
} from './webhook-model.js';
import type {
  WebhookDatabase,
  WebhookDeliveryRow,
  WebhookEndpointRow,
  WebhookMessageRow,
} from './webhook-schema.js';

export type WebhookEndpointPatch = Patch<
  Pick<WebhookEndpoint, 'url' | 'description' | 'events' | 'enabled' | 'secret'>
>;

/** A due message claimed by a dispatcher, with the endpoint to deliver it to. */
export interface ClaimedMessage {
  message: WebhookMessage;
  endpoint: WebhookEndpoint;
}

/**
 * Webhook endpoints, their outbox and their delivery log. Reads and writes of one
 * workspace take its id and never touch another's; `claim` and `complete` serve the
 * dispatcher across workspaces.
 */
export interface WebhookStore {
  createEndpoint(endpoint: WebhookEndpoint): Promise<void>;
  getEndpoint(workspaceId: string, id: string): Promise<WebhookEndpoint | null>;
  /** Oldest first. */
  listEndpoints(workspaceId: string, page: PageQuery): Promise<Page<WebhookEndpoint>>;
  updateEndpoint(
    workspaceId: string,
    id: string,
    patch: WebhookEndpointPatch,
    now: number,
  ): Promise<WebhookEndpoint | null>;
  /** Deletes the endpoint, its pending messages and its delivery log; false if unknown. */
  deleteEndpoint(workspaceId: string, id: string): Promise<boolean>;
  /**
   * Queues the event for every enabled endpoint of the workspace subscribed to its type,
   * due at once; returns the messages (none when nobody listens). One insert: all or none.
   */
  enqueue(
    workspaceId: string,
    type: WebhookEventType,
    payload: string,
    now: number,
  ): Promise<WebhookMessage[]>;
  /**
   * Takes up to `limit` due messages (pending, due, not held by another dispatcher, of an
   * enabled endpoint), holding them for `leaseMs`. PostgreSQL: `for update skip locked`,
   * so dispatchers on several nodes never take the same message.
   */
  claim(now: number, limit: number, leaseMs: number): Promise<ClaimedMessage[]>;
  /** Logs an attempt and moves its message on (pending again at `nextAttemptAt`, or done). */
  complete(delivery: WebhookDelivery, status: WebhookMessageStatus): Promise<void>;
  /** An endpoint's delivery attempts, newest first. */
  listDeliveries(workspaceId: string, endpointId: string, page: PageQuery): Promise<Page<WebhookDelivery>>;
  getMessage(workspaceId: string, id: string): Promise<WebhookMessage | null>;
  /**
   * Sends a message again: pending, due at `now`, released from any lease, whatever its
   * state (a failed message gets one more attempt; a delivered one is resent). Null if unknown.
   */
  retryMessage(workspaceId: string, id: string, now: number): Promise<WebhookMessage | null>;
  /** The same store inside a transaction of the database (`StoreTransaction.sql`): an outbox row then commits with the write it announces. */
  within(tx: SqlExecutor): WebhookStore;
}

export interface WebhookStoreOptions {
  /** The server's pepper: signing secrets are sealed with a key derived from it. Default none (stored as is). */
  pepper?: string | null;
}

const num = (value: number | string): number => Number(value);
const numOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

const messageFromRow = (row: WebhookMessageRow): WebhookMessage => ({
  id: row.id,
  workspaceId: row.workspace_id,
  endpointId: row.endpoint_id,
  eventType: row.event_type as WebhookEventType,
  payload: row.payload,
  status: row.status as WebhookMessageStatus,
  attempts: num(row.attempts),
  nextAttemptAt: numOrNull(row.next_attempt_at),
  createdAt: num(row.created_at),
  updatedAt: num(row.updated_at),
});

const deliveryFromRow = (row: WebhookDeliveryRow): WebhookDelivery => ({
  id: row.id,
  workspaceId: row.workspace_id,
  endpointId: row.endpoint_id,
  messageId: row.message_id,
  eventType: row.event_type as WebhookEventType,
  attempt: num(row.attempt),
  outcome: row.outcome as WebhookDelivery['outcome'],
  responseStatus: numOrNull(row.response_status),
  error: row.error,
  durationMs: num(row.duration_ms),
  createdAt: num(row.created_at),
  nextAttemptAt: numOrNull(row.next_attempt_at),
});

/**
 * A `WebhookStore` on the database's one handle, or a transaction on it (migrated with
 * `0005_webhooks`); it never closes it.
 *
 * @example const webhooks = createWebhookStore(sql, { pepper });
 */
export function createWebhookStore(executor: SqlExecutor, options: WebhookStoreOptions = {}): WebhookStore {
  const { dialect } = executor;
  const db = tablesOf<WebhookDatabase>(executor);
  const box = createSecretBox(options.pepper ?? null);

  const endpointFromRow = (row: WebhookEndpointRow): WebhookEndpoint => ({
    id: row.id,
    workspaceId: row.workspace_id,
    url: row.url,
    description: row.description,
    events: JSON.parse(row.events) as WebhookEventType[],
    enabled: Number(row.enabled) === 1,
    secret: box.open(row.secret),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  });

  const getEndpoint = async (workspaceId: string, id: string) => {
    const rows = await db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
    return rows[0] === undefined ? null : endpointFromRow(rows[0]);
  };

  return {
    async createEndpoint(endpoint) {
      await db
        .insertInto('webhook_endpoints')
        .values({
          id: endpoint.id,
          workspace_id: endpoint.workspaceId,
          url: endpoint.url,
          description: endpoint.description,
          events: JSON.stringify(endpoint.events),
          enabled: endpoint.enabled ? 1 : 0,
          secret: box.seal(endpoint.secret),
          created_at: endpoint.createdAt,
          updated_at: endpoint.updatedAt,
        })
        .execute();
    },

    getEndpoint,

    async listEndpoints(workspaceId, page) {
      const { limit, after } = pageBounds(page);
      const rows = await db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .$if(after !== null, (qb) => qb.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(endpointFromRow), limit);
    },

    async updateEndpoint(workspaceId, id, patch, now) {
      const set: Partial<WebhookEndpointRow> = { updated_at: now };
      if (patch.url !== undefined) set.url = patch.url;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.events !== undefined) set.events = JSON.stringify(patch.events);
      if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
      if (patch.secret !== undefined) set.secret = box.seal(patch.secret);
      const { numUpdatedRows } = await db
        .updateTable('webhook_endpoints')
        .set(set)
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return numUpdatedRows === 0n ? null : getEndpoint(workspaceId, id);
    },

    async deleteEndpoint(workspaceId, id) {
      return inTransaction(executor, async (tx) => {
        const trx = tablesOf<WebhookDatabase>(tx);
        const { numDeletedRows } = await trx
          .deleteFrom('webhook_endpoints')
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        if (numDeletedRows === 0n) return false;
        await trx.deleteFrom('webhook_messages').where('endpoint_id', '=', id).execute();
        await trx.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
        return true;
      });
    },

    async enqueue(workspaceId, type, payload, now) {
      const endpoints = await db
        .selectFrom('webhook_endpoints')
        .select(['id', 'events'])
        .where('workspace_id', '=', workspaceId)
        .where('enabled', '=', 1)
        .execute();
      const subscribed = endpoints.filter((row) => (JSON.parse(row.events) as string[]).includes(type));
      if (subscribed.length === 0) return [];
      const rows: WebhookMessageRow[] = subscribed.map((endpoint) => ({
        id: newId('msg'),
        workspace_id: workspaceId,
        endpoint_id: endpoint.id,
        event_type: type,
        payload,
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        locked_until: null,
        created_at: now,
        updated_at: now,
      }));
      await db.insertInto('webhook_messages').values(rows).execute();
      return rows.map(messageFromRow);
    },

    async claim(now, limit, leaseMs) {
      const due = db
        .selectFrom('webhook_messages')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
        .where('endpoint_id', 'in', (eb) =>
          eb.selectFrom('webhook_endpoints').select('id').where('enabled', '=', 1),
        )
        .orderBy('next_attempt_at')
        .limit(limit)
        .$if(dialect === 'postgres', (qb) => qb.forUpdate().skipLocked());
      const rows = await db
        .updateTable('webhook_messages')
        .set({ locked_until: now + leaseMs })
        .where('id', 'in', due)
        .returningAll()
        .execute();
      if (rows.length === 0) return [];
      const ids = [...new Set(rows.map((row) => row.endpoint_id))];
      const endpointRows = await db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('id', 'in', ids)
        .execute();
      const endpoints = new Map(endpointRows.map((row) => [row.id, endpointFromRow(row)]));
      return rows.flatMap((row) => {
        const endpoint = endpoints.get(row.endpoint_id);
        return endpoint === undefined ? [] : [{ message: messageFromRow(row), endpoint }];
      });
    },

    async complete(delivery, status) {
      // The log row and the message's next state together: a retry never sees one without the other.
      await inTransaction(executor, async (tx) => {
        const trx = tablesOf<WebhookDatabase>(tx);
        await trx
          .insertInto('webhook_deliveries')
          .values({
            id: delivery.id,
            workspace_id: delivery.workspaceId,
            endpoint_id: delivery.endpointId,
            message_id: delivery.messageId,
            event_type: delivery.eventType,
            attempt: delivery.attempt,
            outcome: delivery.outcome,
            response_status: delivery.responseStatus,
            error: delivery.error,
            duration_ms: delivery.durationMs,
            created_at: delivery.createdAt,
            next_attempt_at: delivery.nextAttemptAt,
          })
          .execute();
        await trx
          .updateTable('webhook_messages')
          .set({
            status,
            attempts: delivery.attempt,
            next_attempt_at: status === 'pending' ? delivery.nextAttemptAt : null,
            locked_until: null,
            updated_at: delivery.createdAt,
          })
          .where('id', '=', delivery.messageId)
          .execute();
      });
    },

    async retryMessage(workspaceId, id, now) {
      const rows = await db
        .updateTable('webhook_messages')
        .set({ status: 'pending', next_attempt_at: now, locked_until: null, updated_at: now })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .returningAll()
        .execute();
      const row = rows[0];
      return row === undefined ? null : messageFromRow(row);
    },

    async listDeliveries(workspaceId, endpointId, page) {
      const { limit, after } = pageBounds(page);
      const rows = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('endpoint_id', '=', endpointId)
        .$if(after !== null, (qb) => qb.where('id', '<', after as string))
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(deliveryFromRow), limit);
    },

    async getMessage(workspaceId, id) {
      const rows = await db
        .selectFrom('webhook_messages')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
      return rows[0] === undefined ? null : messageFromRow(rows[0]);
    },

    within: (tx) => createWebhookStore(tx, options),
  };
}
