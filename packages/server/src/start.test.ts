import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createThrowawayDatabase, REDIS_URL, serviceAvailable } from '@keyward/core/testing';
import { createClient, type KeywardClient } from '@keyward/sdk/client';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './cli/program.js';
import { loadConfig } from './config.js';
import { createAppLogger } from './logging.js';
import { type RunningServer, startServer } from './start.js';

/** A logger whose JSON lines the test reads. */
const captureLogger = () => {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createAppLogger({ level: 'info', destination }), lines };
};

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(path.join(tmpdir(), 'keyward-start-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
};

const started = async (
  env: NodeJS.ProcessEnv,
): Promise<{ server: RunningServer; lines: Array<Record<string, unknown>> }> => {
  const { logger, lines } = captureLogger();
  const server = await startServer(loadConfig({ KEYWARD_PORT: '0', ...env }), { logger });
  cleanups.push(() => server.close());
  return { server, lines };
};

const readiness = async (url: string): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: await response.json() };
};

describe('startServer on the embedded default', () => {
  it('creates the data directory, migrates, listens and says how to get a root key', async () => {
    const dir = path.join(await tempDir(), 'nested', 'data');
    const { server, lines } = await started({ KEYWARD_DATA_DIR: dir });
    expect((await stat(path.join(dir, 'keyward.db'))).isFile()).toBe(true);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines).toContainEqual(
      expect.objectContaining({
        url: server.url,
        database: `sqlite ${path.join(dir, 'keyward.db')}`,
        peppered: false,
      }),
    );
    expect(lines.map((line) => line.msg)).toContainEqual(expect.stringContaining('keyward init'));
    await expect(readiness(server.url)).resolves.toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: 'up' } },
    });
  });

  it('stops gracefully once, however often close is called', async () => {
    const { server, lines } = await started({ KEYWARD_DATA_DIR: await tempDir() });
    await Promise.all([server.close(), server.close()]);
    await server.close();
    expect(lines.filter((line) => line.msg === 'keyward stopped')).toHaveLength(1);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow('fetch failed');
  });

  it('fails to start with a clear error and leaves nothing open when Redis is unreachable', async () => {
    const dir = await tempDir();
    const { logger } = captureLogger();
    const config = loadConfig({
      KEYWARD_DATA_DIR: dir,
      KEYWARD_PORT: '0',
      KEYWARD_REDIS_URL: 'redis://127.0.0.1:1',
    });
    await expect(startServer(config, { logger })).rejects.toThrow(
      'cannot connect to redis at redis://127.0.0.1:1',
    );
    // The database was closed again: another server can open the same file at once.
    const { server } = await started({ KEYWARD_DATA_DIR: dir });
    await expect(readiness(server.url)).resolves.toMatchObject({ status: 200 });
  });
});

describe('startServer scaled out (PostgreSQL + Redis)', async () => {
  const available = (await serviceAvailable('postgres')) && (await serviceAvailable('redis'));

  it.runIf(available)('wires PostgreSQL and Redis and reports both in /readyz', async () => {
    const database = await createThrowawayDatabase();
    cleanups.push(() => database.drop());
    const { server, lines } = await started({
      KEYWARD_DATABASE_URL: database.url,
      KEYWARD_REDIS_URL: REDIS_URL,
    });
    await expect(readiness(server.url)).resolves.toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: 'up', redis: 'up' } },
    });
    const listening = lines.find((line) => line.url === server.url);
    expect(listening?.database).toMatch(/^postgres(ql)?:\/\/127\.0\.0\.1:5432\/kw_test_/);
    expect(listening?.redis).toBe('redis://127.0.0.1:6379');
  });

  /** Root key for a fresh database, through `keyward init --json` (in-process). */
  const initRootKey = async (env: NodeJS.ProcessEnv): Promise<string> => {
    const out: string[] = [];
    const code = await runCli(['node', 'keyward', 'init', '--json'], {
      env,
      out: (text) => out.push(text),
      err: (text) => out.push(text),
      fetch,
    });
    expect(code).toBe(0);
    return (JSON.parse(out.join('')) as { rootKey: string }).rootKey;
  };

  /** Polls until `check` holds; a bus that never delivers fails here instead of hanging. */
  const eventually = async (check: () => Promise<boolean>, attempts = 100): Promise<void> => {
    for (let i = 0; i < attempts; i++) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('condition never held');
  };

  /** Two nodes on one database: a revoke on A reaches B's cache (which would otherwise keep the key for 10 min). */
  const revocationReachesOtherNode = async (env: NodeJS.ProcessEnv) => {
    const shared = { ...env, KEYWARD_CACHE_TTL_MS: '600000' };
    const rootKey = await initRootKey(shared);
    const [a, b] = [(await started(shared)).server, (await started(shared)).server];
    const clientA: KeywardClient = createClient({ baseUrl: a.url, rootKey });
    const clientB: KeywardClient = createClient({ baseUrl: b.url, rootKey });
    const api = await clientA.apis.create({ name: 'nodes', prefix: 'nodes' });
    const { id, key } = await clientA.keys.create({ apiId: api.id });
    await expect(clientB.keys.verify({ key })).resolves.toMatchObject({ valid: true });
    await clientA.keys.revoke(id);
    await eventually(async () => (await clientB.keys.verify({ key })).valid === false);
  };

  it.runIf(available)('invalidates other nodes through Redis pub/sub', async () => {
    const database = await createThrowawayDatabase();
    cleanups.push(() => database.drop());
    await revocationReachesOtherNode({ KEYWARD_DATABASE_URL: database.url, KEYWARD_REDIS_URL: REDIS_URL });
  });

  it.runIf(available)('invalidates other nodes through PostgreSQL LISTEN/NOTIFY without Redis', async () => {
    const database = await createThrowawayDatabase();
    cleanups.push(() => database.drop());
    const { server } = await started({ KEYWARD_DATABASE_URL: database.url });
    await expect(readiness(server.url)).resolves.toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: 'up' } },
    });
    await revocationReachesOtherNode({ KEYWARD_DATABASE_URL: database.url });
  });
});
