import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './migration-0001-initial.js';

/**
 * Webhooks (see `webhooks/webhook-schema.ts`): endpoints, the outbox of messages (one per
 * event and endpoint, delivered from the table so that a crash loses none) and the log of
 * delivery attempts.
 */
export const webhooks = (t: ColumnTypes): Migration => ({
  async up(db: Kysely<unknown>) {
    const s = db.schema;
    await s
      .createTable('webhook_endpoints')
      .ifNotExists()
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('events', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();
    await s
      .createIndex('webhook_endpoints_workspace_id')
      .ifNotExists()
      .on('webhook_endpoints')
      .columns(['workspace_id', 'id'])
      .execute();

    await s
      .createTable('webhook_messages')
      .ifNotExists()
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('endpoint_id', t.id, (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', t.int8)
      .addColumn('locked_until', t.int8)
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();
    await s
      .createIndex('webhook_messages_due')
      .ifNotExists()
      .on('webhook_messages')
      .columns(['status', 'next_attempt_at'])
      .execute();
    await s
      .createIndex('webhook_messages_endpoint')
      .ifNotExists()
      .on('webhook_messages')
      .columns(['endpoint_id', 'id'])
      .execute();

    await s
      .createTable('webhook_deliveries')
      .ifNotExists()
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('endpoint_id', t.id, (c) => c.notNull())
      .addColumn('message_id', t.id, (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('response_status', 'integer')
      .addColumn('error', 'text')
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addColumn('next_attempt_at', t.int8)
      .execute();
    await s
      .createIndex('webhook_deliveries_endpoint')
      .ifNotExists()
      .on('webhook_deliveries')
      .columns(['endpoint_id', 'id'])
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of ['webhook_deliveries', 'webhook_messages', 'webhook_endpoints']) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
});
