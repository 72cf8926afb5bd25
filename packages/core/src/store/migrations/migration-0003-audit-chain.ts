import { type Kysely, type Migration, sql } from 'kysely';
import { chainHash, GENESIS_HASH } from '../../audit/chain-hash.js';
import { auditEventFromRow } from '../audit.js';
import type { Dialect } from '../context.js';
import type { Database } from '../schema.js';
import type { ColumnTypes } from './migration-0001-initial.js';

const BACKFILL_PAGE = 1000;

/** `alter table add column`, skipped when the column exists (SQLite has no `if not exists` for it). */
async function addColumn(db: Kysely<unknown>, dialect: Dialect, column: string, type: 'int8' | 'text') {
  const typeSql = sql.raw(type === 'int8' ? (dialect === 'postgres' ? 'bigint' : 'integer') : 'text');
  if (dialect === 'postgres') {
    await sql`alter table audit_events add column if not exists ${sql.ref(column)} ${typeSql}`.execute(db);
    return;
  }
  const { rows } = await sql<{ name: string }>`select name from pragma_table_info('audit_events')`.execute(
    db,
  );
  if (rows.some((row) => row.name === column)) return;
  await sql`alter table audit_events add column ${sql.ref(column)} ${typeSql}`.execute(db);
}

/** Links a workspace's existing events into its chain, oldest (by id) first, and writes its head. */
async function backfillWorkspace(db: Kysely<Database>, workspaceId: string): Promise<void> {
  let prevHash = GENESIS_HASH;
  let seq = 0;
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '>', after)
      .orderBy('id')
      .limit(BACKFILL_PAGE)
      .execute();
    for (const row of rows) {
      seq += 1;
      const hash = chainHash(prevHash, auditEventFromRow(row), seq);
      await db
        .updateTable('audit_events')
        .set({ seq, prev_hash: prevHash, hash })
        .where('id', '=', row.id)
        .execute();
      prevHash = hash;
      after = row.id;
    }
    if (rows.length < BACKFILL_PAGE) break;
  }
  await db
    .insertInto('audit_chain_heads')
    .values({ workspace_id: workspaceId, seq, hash: prevHash })
    .execute();
}

/**
 * The audit log's hash chain (see `audit/chain-hash.ts`): `seq`, `prev_hash` and `hash`
 * on every event, one head row per workspace, and a unique (workspace_id, seq) index so
 * that the chain cannot fork. Events written before this migration are linked in id
 * order. A workspace that has a head is done: a re-run after a crash skips it (on
 * SQLite, which runs migrations outside a transaction, each workspace is linked in its
 * own transaction).
 */
export const auditChain = (t: ColumnTypes, dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    await addColumn(db, dialect, 'seq', 'int8');
    await addColumn(db, dialect, 'prev_hash', 'text');
    await addColumn(db, dialect, 'hash', 'text');
    await db.schema
      .createTable('audit_chain_heads')
      .ifNotExists()
      .addColumn('workspace_id', t.id, (c) => c.primaryKey())
      .addColumn('seq', t.int8, (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();

    const typed = db as unknown as Kysely<Database>;
    const pending = await typed
      .selectFrom('audit_events')
      .select('workspace_id')
      .distinct()
      .where('workspace_id', 'not in', (eb) => eb.selectFrom('audit_chain_heads').select('workspace_id'))
      .execute();
    for (const { workspace_id: workspaceId } of pending) {
      if (dialect === 'postgres') await backfillWorkspace(typed, workspaceId);
      else await typed.transaction().execute((trx) => backfillWorkspace(trx, workspaceId));
    }

    await db.schema
      .createIndex('audit_events_chain')
      .ifNotExists()
      .unique()
      .on('audit_events')
      .columns(['workspace_id', 'seq'])
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('audit_events_chain').ifExists().execute();
    await db.schema.dropTable('audit_chain_heads').ifExists().execute();
  },
});
