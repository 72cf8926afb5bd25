import path from 'node:path';
import { createEngine } from '@keyward/core';
import { createSqliteHandle, createStore, migrateSqlite, openSqliteDatabase } from '@keyward/core/sqlite';
import { localVerifier } from '@keyward/sdk/local';
import type { FastifyInstance } from 'fastify';
import { buildChargingApi } from './app.js';

/**
 * Starts the charging API. By default on keyward's embedded SQLite database (local mode:
 * keys are verified in this process, no call to a keyward server); point keyward at the
 * same data directory to manage the keys: `KEYWARD_DATA_DIR=examples/charging-api/data npm start`.
 * With `CHARGING_BEHIND_GATEWAY=1` it checks no keys and opens no database: keyward's
 * gateway (gateway.yaml) checks them in front and forwards the caller's identity.
 *
 *   PORT                     default 3000
 *   HOST                     default 127.0.0.1 (behind the gateway, keep it private: see behind-gateway.ts)
 *   KEYWARD_DATA_DIR         default ./data (this example's own), holding keyward.db
 *   CHARGING_API_ID          the keyward API whose keys are accepted; default any API of the workspace
 *   CHARGING_BEHIND_GATEWAY  1: trust the identity headers of keyward's gateway instead of checking keys
 */
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const behindGateway = process.env.CHARGING_BEHIND_GATEWAY === '1';

async function start(): Promise<{ app: FastifyInstance; close: () => Promise<void>; source: string }> {
  if (behindGateway) {
    const app = await buildChargingApi({ behindGateway: true, logger: true });
    return { app, close: () => app.close(), source: "identity from keyward's gateway" };
  }
  const dataDir = path.resolve(process.env.KEYWARD_DATA_DIR ?? './data');
  const apiId = process.env.CHARGING_API_ID || undefined;
  const sql = createSqliteHandle({ database: openSqliteDatabase(path.join(dataDir, 'keyward.db')) });
  await migrateSqlite(sql);
  const store = createStore(sql);
  // Keys are managed by another process (keyward serve) with no shared cache bus here, so a
  // short cache bounds how long a revocation or change takes to reach this API: 2 s.
  const engine = createEngine({ store, cacheTtlMs: 2_000 });
  const app = await buildChargingApi({
    verifier: localVerifier(engine),
    logger: true,
    ...(apiId ? { apiId } : {}),
  });
  const close = async () => {
    await app.close();
    await engine.close();
    await store.close();
  };
  return { app, close, source: `keys from ${path.join(dataDir, 'keyward.db')}` };
}

const { app, close, source } = await start();
process.once('SIGINT', () => void close());
process.once('SIGTERM', () => void close());

await app.listen({ port, host });
if (behindGateway && !['127.0.0.1', '::1', 'localhost'].includes(host)) {
  app.log.warn(
    { host },
    'behind the gateway this API trusts X-Keyward-* headers: make sure only the gateway can reach it',
  );
}
app.log.info(`charging API on http://${host}:${port} (${source})`);
