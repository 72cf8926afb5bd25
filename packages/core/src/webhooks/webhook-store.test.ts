import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import { createPostgresHandle, createPostgresPool } from '../store/postgres.js';
import { createSqliteHandle, migrateSqlite, openSqliteDatabase } from '../store/sqlite.js';
import { useMigratedPostgres } from '../testing/migrated-postgres.js';
import { serviceAvailable, uniqueName } from '../testing/services.js';
import { describeWebhookStoreConformance } from '../testing/webhook-store.conformance.js';
import { createWebhookStore } from './webhook-store.js';

const PEPPER = 'a pepper of at least thirty-two characters!';
const dir = mkdtempSync(join(tmpdir(), 'keyward-webhook-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sqlite(path: string) {
  const sql = createSqliteHandle({ database: openSqliteDatabase(path) });
  await migrateSqlite(sql);
  return {
    store: createWebhookStore(sql, { pepper: PEPPER }),
    sql,
    storedSecret: (id: string) =>
      sql.exclusive(
        (database) =>
          (
            database.prepare('select secret from webhook_endpoints where id = ?').get(id) as {
              secret: string;
            }
          ).secret,
      ),
    cleanup: () => sql.close(),
  };
}

describeWebhookStoreConformance('sqlite file', () => sqlite(join(dir, `${uniqueName('webhooks')}.db`)));
describeWebhookStoreConformance('sqlite :memory:', () => sqlite(':memory:'));

const available = await serviceAvailable('postgres');

describe.runIf(available)('postgres', () => {
  const url = useMigratedPostgres();

  describeWebhookStoreConformance('postgres', async () => {
    const sql = createPostgresHandle({ pool: createPostgresPool(url(), { max: 4 }) });
    // The outbox is claimed across workspaces: each test starts from empty tables.
    await sql.pool.query('truncate webhook_endpoints, webhook_messages, webhook_deliveries');
    return {
      store: createWebhookStore(sql, { pepper: PEPPER }),
      sql,
      storedSecret: async (id: string) =>
        (await sql.pool.query<{ secret: string }>('select secret from webhook_endpoints where id = $1', [id]))
          .rows[0]?.secret ?? '',
      cleanup: () => sql.close(),
    };
  });
});
