import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './migration-0001-initial.js';

/**
 * Leak reports already acted on (`leak-reports.ts`): one row per (source, digest of the
 * report). Kept for good: a signed GitHub body carries no timestamp, so a replay years later
 * must still act on nothing (a key re-enabled as a false positive stays enabled).
 */
export const leakReports = (t: ColumnTypes): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('leak_reports')
      .ifNotExists()
      .addColumn('source', t.id, (c) => c.notNull())
      .addColumn('digest', t.id, (c) => c.notNull())
      .addColumn('feedback', 'text', (c) => c.notNull())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addPrimaryKeyConstraint('leak_reports_pk', ['source', 'digest'])
      .execute();
  },
});
