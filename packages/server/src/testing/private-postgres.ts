import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A PostgreSQL server of its own for fault tests (stop it, freeze it, start it again)
 * that never disturbs the shared one on 5432: `initdb` into a temporary directory, a random
 * loopback port, its socket in that directory. Built for speed, not for surviving an OS
 * crash (fsync off): the tests kill keyward or stop this server, never the machine.
 */
export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  readonly port: number;
  /** `immediate`: every backend dies at once, like a crash (recovery on the next start). */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT of every server process: connections stay open, nothing answers. */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** Stops it and deletes its directory. */
  destroy(): Promise<void>;
}

/** The newest installed PostgreSQL's bin directory (Debian layout), or null. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((name) => existsSync(path.join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : path.join(root, versions[0], 'bin');
}

/** initdb and postgres refuse to run as root: as root, run them as the `postgres` user. */
async function asServerUser(): Promise<{
  wrap: (argv: string[]) => string[];
  uid: number;
  gid: number;
} | null> {
  if (process.getuid?.() !== 0) return null;
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  return { wrap: (argv) => ['runuser', '-u', 'postgres', '--', ...argv], uid, gid };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (bin === null) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin');
  const user = await asServerUser();
  const dir = await mkdtemp(path.join(tmpdir(), 'kw-pg-'));
  if (user !== null) await chown(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const exec = async (argv: string[]) => {
    const [file = '', ...args] = user === null ? argv : user.wrap(argv);
    return run(file, args, { cwd: dir });
  };
  await exec([
    path.join(bin, 'initdb'),
    '-D',
    data,
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
    '-E',
    'UTF8',
  ]);

  let port = 0;
  const start = async () => {
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    await exec([
      path.join(bin, 'pg_ctl'),
      '-D',
      data,
      '-o',
      options,
      '-l',
      path.join(dir, 'server.log'),
      '-w',
      '-t',
      '30',
      'start',
    ]);
  };
  const stop = async (mode: 'immediate' | 'fast' = 'immediate') => {
    await exec([path.join(bin, 'pg_ctl'), '-D', data, '-m', mode, '-w', 'stop']);
  };
  const processes = async (): Promise<number[]> => {
    const postmaster = Number((await readFile(path.join(data, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(postmaster)]);
    return [
      postmaster,
      ...stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map(Number),
    ];
  };

  let lastError: unknown;
  for (let attempt = 0; attempt < 10; attempt++) {
    port = randomInt(30_000, 40_000);
    try {
      await start();
      lastError = undefined;
      break;
    } catch (error) {
      lastError = error;
    }
  }
  if (lastError !== undefined) {
    await rm(dir, { recursive: true, force: true });
    throw new Error('could not start a private PostgreSQL', { cause: lastError });
  }

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    async freeze() {
      for (const pid of await processes()) process.kill(pid, 'SIGSTOP');
    },
    async thaw() {
      for (const pid of await processes()) process.kill(pid, 'SIGCONT');
    },
    async destroy() {
      await stop('immediate').catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * True when a private PostgreSQL can be started here. Outside CI a missing server prints
 * why the suite is skipped; with CI=true it throws instead (CI must run the fault tests).
 */
export function privatePostgresAvailable(): boolean {
  if (postgresBinDir() !== null) return true;
  const why = 'no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)';
  if (process.env.CI === 'true') throw new Error(`${why}; CI requires them for the fault tests`);
  console.warn(`SKIPPED: ${why}. Install them to run the PostgreSQL fault tests.`);
  return false;
}
