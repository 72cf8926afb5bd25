import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEngine, newId } from '@keyward/core';
import { createSqliteHandle, createStore, migrateSqlite, openSqliteDatabase } from '@keyward/core/sqlite';
import { createUsageRecorder, createUsageStore } from '@keyward/core/usage';
import { startGateway } from '@keyward/server';
import { benchKey } from './fixtures.js';

/**
 * The keyward gateway under benchmark, in its own process: the real engine on a SQLite
 * file, a key without limits, a key with a rate limit, and the usage recorder writing to SQLite. Reads the upstream
 * URL from argv[2]; prints `{"url", "authKey", "fullKey"}` on stdout once listening.
 */
const upstream = process.argv[2];
if (upstream === undefined) throw new Error('usage: gateway-server.ts <upstream-url>');

// The same layout `keyward serve` uses: one SQLite handle shared by the store and the usage store.
const dir = await mkdtemp(path.join(tmpdir(), 'keyward-bench-gateway-'));
const sql = createSqliteHandle({ database: openSqliteDatabase(path.join(dir, 'keyward.db')) });
await migrateSqlite(sql);
const store = createStore(sql);
const now = Date.now();
const ctx = { store, workspaceId: newId('ws'), apiId: newId('api') };
await store.workspaces.create({ id: ctx.workspaceId, name: 'bench', createdAt: now });
await store.apis.create({
  id: ctx.apiId,
  workspaceId: ctx.workspaceId,
  name: 'bench',
  prefix: 'bench',
  createdAt: now,
  updatedAt: now,
});
// Usage goes through the real pipeline: buffered, written to SQLite in batches off the request path.
const usage = createUsageRecorder({ sink: createUsageStore({ sql }) });
// Only the "full" row records usage: the key-auth row measures verification alone.
const engine = createEngine({
  store,
  usage: { record: (event) => event.tags[0] === 'route:full' && usage.record(event) },
});
const auth = await benchKey(ctx, engine, { permissions: ['stations:read'] });
const full = await benchKey(ctx, engine, {
  permissions: ['stations:read'],
  // A limit that is checked on every request but never reached: the row measures checking, not refusing.
  ratelimits: [{ name: 'requests', limit: 1e12, duration: 60_000, algorithm: 'sliding_window' }],
});

const file = path.join(dir, 'gateway.yaml');
await writeFile(
  file,
  `apiId: ${ctx.apiId}
upstreams: [{ url: "${upstream}" }]
routes:
  - { methods: [GET], path: /public/*, public: true }
  - { name: auth, methods: [GET], path: /auth/*, permissions: stations:read }
  - { name: full, methods: [GET], path: /full/*, permissions: stations:read, ratelimits: [{ name: requests }] }
`,
);
const gateway = await startGateway({ file, engine, watch: false, listen: { host: '127.0.0.1', port: 0 } });
process.stdout.write(`${JSON.stringify({ url: gateway.url, authKey: auth.key, fullKey: full.key })}\n`);

process.on('SIGTERM', () => {
  void (async () => {
    await gateway.close();
    await engine.close();
    await usage.close();
    process.stderr.write(
      `gateway bench: ${usage.written()} usage events written, ${usage.dropped()} dropped\n`,
    );
    await store.close();
    await rm(dir, { recursive: true, force: true });
    process.exit(0);
  })();
});
