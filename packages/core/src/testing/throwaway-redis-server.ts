import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A private redis-server for fault tests (kill it, restart it) that never disturbs the
 * shared one on 6379: a random loopback port in 20000-30000, nothing kept on disk.
 */
export interface ThrowawayRedisServer {
  readonly port: number;
  readonly url: string;
  /** Kills the process (SIGKILL by default: a crash, not a shutdown) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (empty: nothing was persisted). */
  restart(): Promise<void>;
}

const launch = (port: number, extra: readonly string[] = []): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--loglevel',
        'notice',
        ...extra,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`redis-server on port ${port} exited (${code}): ${output}`));
    child.stdout?.on('data', onData);
    child.stderr?.resume();
    child.once('exit', onExit);
    child.once('error', reject);
  });

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

export async function startThrowawayRedisServer(): Promise<ThrowawayRedisServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = randomInt(20_000, 30_000);
    let child: ChildProcess;
    try {
      child = await launch(port);
    } catch (error) {
      lastError = error;
      continue;
    }
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      async kill(signal = 'SIGKILL') {
        const current = child;
        current.kill(signal);
        await exited(current);
      },
      async restart() {
        // The port was just freed; retry briefly in case the kernel still holds it.
        for (let tries = 0; ; tries++) {
          try {
            child = await launch(port);
            return;
          } catch (error) {
            if (tries >= 20) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      },
    };
  }
  throw new Error('could not start a throwaway redis-server', { cause: lastError });
}

export interface ThrowawayRedisCluster {
  readonly nodes: { host: string; port: number }[];
  stop(): Promise<void>;
}

const run = promisify(execFile);

/** A private Redis Cluster of `masters` nodes (no replicas) on random loopback ports. */
export async function startThrowawayRedisCluster(masters = 3): Promise<ThrowawayRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'kw-redis-cluster-'));
  const children: ChildProcess[] = [];
  const nodes: { host: string; port: number }[] = [];
  const stop = async () => {
    await Promise.all(
      children.map((child) => {
        child.kill('SIGKILL');
        return exited(child);
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    while (nodes.length < masters) {
      const port = randomInt(20_000, 30_000);
      const config = [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--dir',
        dir,
      ];
      const child = await launch(port, config).catch(() => null);
      if (child === null) continue;
      children.push(child);
      nodes.push({ host: '127.0.0.1', port });
    }
    const addresses = nodes.map((node) => `${node.host}:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    for (const node of nodes) {
      for (let tries = 0; ; tries++) {
        const { stdout } = await run('redis-cli', ['-p', String(node.port), 'cluster', 'info']);
        if (stdout.includes('cluster_state:ok')) break;
        if (tries > 100) throw new Error(`cluster node ${node.port} did not become ready`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, stop };
}
