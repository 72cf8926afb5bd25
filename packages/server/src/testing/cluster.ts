import { spawn } from 'node:child_process';
import net from 'node:net';
// Not `@keyward/core/testing`: its conformance suites load vitest, and the bench runs this.
import { SOURCE_NODE_ARGS, uniqueName } from '@keyward/core/testing/servers';
import { Redis } from 'ioredis';
import { cleanEnv, exitWithin, REPO_ROOT, type ServerProcess } from '../cli/test-processes.js';
import { loadConfig } from '../config.js';
import { type KeywardHttp, keywardHttp, sleep } from './keyward-http.js';
import { seedWorkspace } from './seed.js';

/** Several `keyward serve` processes on loopback ports sharing one PostgreSQL database and one Redis. */
export interface Cluster {
  nodes: ServerProcess[];
  http: KeywardHttp[];
  rootKey: string;
  /** SIGTERM every node (graceful: credits written back), then delete this cluster's Redis keys. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  size: number;
  databaseUrl: string;
  redisUrl: string;
  /** More KEYWARD_* variables for every node. */
  env?: Record<string, string>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const { size, databaseUrl, redisUrl } = options;
  // A prefix of its own: parallel runs on the shared Redis never see each other's counters.
  const redisPrefix = `${uniqueName('kw')}:`;
  const env = cleanEnv({
    KEYWARD_DATABASE_URL: databaseUrl,
    KEYWARD_REDIS_URL: redisUrl,
    KEYWARD_REDIS_PREFIX: redisPrefix,
    KEYWARD_LOG_LEVEL: 'warn',
    KEYWARD_RATELIMIT_FAIL_MODE: 'closed',
    // These runs measure agreement between nodes, not deadlines: a busy CI machine must not turn a slow query into a 503.
    KEYWARD_STORE_TIMEOUT_MS: '10000',
    KEYWARD_REDIS_TIMEOUT_MS: '5000',
    ...options.env,
  });
  const { rootKey } = await seedWorkspace(loadConfig(env));
  const started = await Promise.allSettled(Array.from({ length: size }, () => startQuietKeyward(env)));
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => {
    await Promise.all(
      nodes.map(async (node) => {
        if (node.child.exitCode !== null || node.child.signalCode !== null) return;
        node.child.kill('SIGTERM');
        await exitWithin(node, 20_000).catch(() => node.child.kill('SIGKILL'));
      }),
    );
    const redis = new Redis(redisUrl, { lazyConnect: true });
    try {
      await redis.connect();
      for await (const keys of redis.scanStream({ match: `${redisPrefix}*`, count: 500 })) {
        if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
      }
    } finally {
      redis.disconnect();
    }
  };
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await stop();
    throw (failed as PromiseRejectedResult).reason;
  }
  return { nodes, http: nodes.map((node) => keywardHttp(node.url, rootKey)), rootKey, stop };
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight; results in item order. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });

/**
 * `keyward serve` on a free port, ready once `/healthz` answers. Unlike `startKeyward` it
 * needs no info-level log line, so the nodes can log at `warn`: a request line per call
 * would cost the load test CPU in every node and in this process.
 */
export async function startQuietKeyward(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...SOURCE_NODE_ARGS, 'packages/server/src/cli.ts', 'serve'], {
    cwd: REPO_ROOT,
    env: { ...env, KEYWARD_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const url = `http://127.0.0.1:${port}`;
  for (const started = Date.now(); ; ) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`keyward serve exited before it was ready:\n${output}`);
    }
    const healthy = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return { url, child, output: () => output, exited };
    if (Date.now() - started > 60_000) {
      child.kill('SIGKILL');
      throw new Error(`keyward serve was not ready within 60 s:\n${output}`);
    }
    await sleep(100);
  }
}
