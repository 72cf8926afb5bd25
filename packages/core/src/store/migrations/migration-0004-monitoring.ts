import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './migration-0001-initial.js';

/**
 * Access-pattern monitoring (see `monitoring/monitoring-schema.ts`): alerts (one active
 * alert per workspace, detector and subject, enforced by a unique index on `active_key`),
 * per-workspace policies, and the last run of each periodic job. No foreign keys: alerts
 * outlive the keys they describe.
 */
export const monitoring = (t: ColumnTypes): Migration => ({
  async up(db: Kysely<unknown>) {
    const s = db.schema;
    await s
      .createTable('alerts')
      .ifNotExists()
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('workspace_id', t.id, (c) => c.notNull())
      .addColumn('detector', 'text', (c) => c.notNull())
      .addColumn('subject_type', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('evidence', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('active_key', 'text', (c) => c.unique())
      .addColumn('occurrences', t.int8, (c) => c.notNull())
      .addColumn('quarantined_at', t.int8)
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .addColumn('acknowledged_at', t.int8)
      .addColumn('acknowledged_by', 'text')
      .addColumn('resolved_at', t.int8)
      .execute();
    await s
      .createIndex('alerts_workspace_id')
      .ifNotExists()
      .on('alerts')
      .columns(['workspace_id', 'id'])
      .execute();

    await s
      .createTable('monitoring_policies')
      .ifNotExists()
      .addColumn('workspace_id', t.id, (c) => c.primaryKey())
      .addColumn('policy', 'text', (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();

    await s
      .createTable('job_runs')
      .ifNotExists()
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('last_run_at', t.int8, (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of ['job_runs', 'monitoring_policies', 'alerts']) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
});
