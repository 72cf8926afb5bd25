import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createThrowawayDatabase } from '@keyward/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, serviceAvailable, uniqueName } from '../../../core/src/testing/services.js';
import { loadConfig } from '../../src/config.js';
import { createAppLogger } from '../../src/logging.js';
import { type RunningServer, startServer } from '../../src/start.js';
import { seedWorkspace } from '../../src/testing/seed.js';

/**
 * Issue 10, defect 9: a root key rolled or revoked on one node kept working on the others
 * until their root-key cache expired (5 s by default). Root keys now ride the same cache
 * bus as API keys. Two nodes on one PostgreSQL, with Redis pub/sub and with PostgreSQL
 * LISTEN/NOTIFY; the root-key cache is made long (10 min) so only the bus can explain a
 * prompt refusal.
 */
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const quiet = () => createAppLogger({ level: 'warn', destination: { write: () => undefined } });

async function twoNodes(env: NodeJS.ProcessEnv) {
  const dir = await mkdtemp(path.join(tmpdir(), 'keyward-rk-bus-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const shared = {
    KEYWARD_PORT: '0',
    KEYWARD_DATA_DIR: dir,
    KEYWARD_ROOT_KEY_CACHE_TTL_MS: '600000',
    ...env,
  };
  const { rootKey } = await seedWorkspace(loadConfig(shared));
  const nodes: RunningServer[] = [];
  for (let i = 0; i < 2; i++) {
    const server = await startServer(loadConfig(shared), { logger: quiet() });
    cleanups.push(() => server.close());
    nodes.push(server);
  }
  const [a, b] = nodes as [RunningServer, RunningServer];
  const call = (node: RunningServer, key: string, method: string, url: string) =>
    fetch(`${node.url}${url}`, { method, headers: { authorization: `Bearer ${key}` } });
  return { a, b, rootKey, call };
}

/** Polls until `check` holds (2.5 s at most: far below the 10-minute cache). */
const eventually = async (check: () => Promise<boolean>): Promise<void> => {
  for (let i = 0; i < 50; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition never held');
};

const scenario = async (env: NodeJS.ProcessEnv) => {
  const { a, b, rootKey, call } = await twoNodes(env);
  const create = await fetch(`${a.url}/v1/root-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ permissions: ['apis:read'] }),
  });
  const narrow = (await create.json()) as { id: string; key: string };
  // B has seen (and cached) the narrow key.
  expect((await call(b, narrow.key, 'GET', '/v1/apis')).status).toBe(200);
  const rolled = (await (await call(a, rootKey, 'POST', `/v1/root-keys/${narrow.id}/roll`)).json()) as {
    key: string;
  };
  await eventually(async () => (await call(b, narrow.key, 'GET', '/v1/apis')).status === 401);
  expect((await call(b, rolled.key, 'GET', '/v1/apis')).status).toBe(200);
  expect((await call(a, rootKey, 'POST', `/v1/root-keys/${narrow.id}/revoke`)).status).toBe(200);
  await eventually(async () => (await call(b, rolled.key, 'GET', '/v1/apis')).status === 401);
};

describe('root-key roll and revoke reach every node at once', async () => {
  const postgres = await serviceAvailable('postgres');
  const redis = postgres && (await serviceAvailable('redis'));

  it.runIf(redis)('through Redis pub/sub', async () => {
    const database = await createThrowawayDatabase();
    cleanups.push(() => database.drop());
    await scenario({
      KEYWARD_DATABASE_URL: database.url,
      KEYWARD_REDIS_URL: REDIS_URL,
      KEYWARD_REDIS_PREFIX: `${uniqueName('kw')}:`,
    });
  });

  it.runIf(postgres)('through PostgreSQL LISTEN/NOTIFY', async () => {
    const database = await createThrowawayDatabase();
    cleanups.push(() => database.drop());
    await scenario({ KEYWARD_DATABASE_URL: database.url });
  });
});
