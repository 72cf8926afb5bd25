import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import type { SqlHandle } from '../sql/sql-handle.js';
import { createPostgresHandle, createPostgresPool } from '../store/postgres.js';
import { createSqliteHandle, migrateSqlite, openSqliteDatabase } from '../store/sqlite.js';
import { describeAlertStoreConformance } from '../testing/alert-store.conformance.js';
import { useMigratedPostgres } from '../testing/migrated-postgres.js';
import { serviceAvailable, uniqueName } from '../testing/services.js';
import { createAlertStore } from './alert-store.js';
import { createPolicyStore } from './policy-store.js';

const dir = mkdtempSync(join(tmpdir(), 'keyward-alerts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The stores on `sql`; `nodes` are more stores on the same database (other nodes, or the same process). */
const storesOn = (sql: SqlHandle, nodes: SqlHandle[], close: () => Promise<void>) => ({
  alerts: createAlertStore(sql),
  policies: createPolicyStore(sql),
  sql,
  nodes: nodes.map((node) => createAlertStore(node)),
  cleanup: close,
});

async function sqlite(path: string) {
  const sql = createSqliteHandle({ database: openSqliteDatabase(path) });
  await migrateSqlite(sql);
  // One process on SQLite: its other "nodes" share the one handle.
  return storesOn(sql, [sql], () => sql.close());
}

describeAlertStoreConformance('sqlite file', () => sqlite(join(dir, `${uniqueName('alerts')}.db`)));
describeAlertStoreConformance('sqlite :memory:', () => sqlite(':memory:'));

const available = await serviceAvailable('postgres');

describe.runIf(available)('postgres', () => {
  const url = useMigratedPostgres();

  describeAlertStoreConformance('postgres', async () => {
    // Three handles, three pools: three nodes.
    const [sql, ...nodes] = [1, 2, 3].map(() =>
      createPostgresHandle({ pool: createPostgresPool(url(), { max: 4 }) }),
    ) as [SqlHandle, ...SqlHandle[]];
    return storesOn(sql, nodes, async () => {
      for (const handle of [sql, ...nodes]) await handle.close();
    });
  });
});
