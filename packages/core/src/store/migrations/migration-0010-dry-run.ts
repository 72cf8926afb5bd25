import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../context.js';

/**
 * Adds a column unless it exists: PostgreSQL says `if not exists` itself; SQLite has no
 * such clause, so its table info is read first (a re-run after a crash still succeeds).
 */
async function addColumn(
  db: Kysely<unknown>,
  dialect: Dialect,
  table: string,
  column: string,
  definition: ReturnType<typeof sql>,
): Promise<void> {
  if (dialect === 'postgres') {
    await sql`alter table ${sql.table(table)} add column if not exists ${sql.ref(column)} ${definition}`.execute(
      db,
    );
    return;
  }
  const { rows } = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db);
  if (rows.some((row) => row.name === column)) return;
  await sql`alter table ${sql.table(table)} add column ${sql.ref(column)} ${definition}`.execute(db);
}

/**
 * Dry-run enforcement (docs/dry-run.md): a key's IP allow-list mode (`enforce` or
 * `dry-run`; rate limits and quotas keep their mode in their JSON config), and the
 * dry-run rules that would have denied each raw usage event (a JSON array of codes; null: none).
 */
export const dryRun = (dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    await addColumn(db, dialect, 'keys', 'allowed_ips_mode', sql`text not null default 'enforce'`);
    await addColumn(db, dialect, 'usage_events', 'would_deny', sql`text`);
  },
});
