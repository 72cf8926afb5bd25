import path from 'node:path';
import { createEngine } from '@keyward/core';
import { createSqliteStore, migrateSqlite, openSqliteDatabase } from '@keyward/core/sqlite';
import { localVerifier } from '@keyward/sdk';
import { buildChargingApi } from './app.js';

/**
 * Starts the charging API on keyward's embedded SQLite database (local mode: keys are
 * verified in this process, no call to a keyward server). Point keyward at the same data
 * directory to manage the keys: `KEYWARD_DATA_DIR=examples/charging-api/data npm start`.
 *
 *   PORT             default 3000
 *   HOST             default 127.0.0.1
 *   KEYWARD_DATA_DIR default ./data (this example's own), holding keyward.db
 *   CHARGING_API_ID  the keyward API whose keys are accepted; default any API of the workspace
 */
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const dataDir = path.resolve(process.env.KEYWARD_DATA_DIR ?? './data');
const apiId = process.env.CHARGING_API_ID || undefined;

const database = openSqliteDatabase(path.join(dataDir, 'keyward.db'));
await migrateSqlite(database);
const store = createSqliteStore({ database });
// Keys are managed by another process (keyward serve) with no shared cache bus here, so a
// short cache bounds how long a revocation or change takes to reach this API: 2 s.
const engine = createEngine({ store, cacheTtlMs: 2_000 });
const app = await buildChargingApi({
  verifier: localVerifier(engine),
  logger: true,
  ...(apiId ? { apiId } : {}),
});

const shutdown = async () => {
  await app.close();
  await engine.close();
  await store.close();
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());

await app.listen({ port, host });
app.log.info(`charging API on http://${host}:${port} (keys from ${path.join(dataDir, 'keyward.db')})`);
