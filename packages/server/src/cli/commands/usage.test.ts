import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqliteDatabase } from '@keyward/core/sqlite';
import type { UsageSeries } from '@keyward/protocol';
import { createClient } from '@keyward/sdk/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../config.js';
import { type RunningServer, startServer } from '../../start.js';
import { runCli } from '../program.js';
import { cleanEnv, exitWithin, runKeyward, startKeyward } from '../test-processes.js';
import { bars, bucketTotals, parseWhen, sparkline } from './usage.js';

/** `keyward usage` against a real server (started as `keyward serve` starts it) on a temporary SQLite file. */
let dir: string;
let server: RunningServer;
let rootKey: string;
let keyId: string;

const keyward = async (args: readonly string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['node', 'keyward', ...args], {
    env: { KEYWARD_DATA_DIR: dir, KEYWARD_URL: server.url, KEYWARD_ROOT_KEY: rootKey },
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    fetch,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
};

const init = async (dataDir: string): Promise<string> => {
  let issued = '';
  const code = await runCli(['node', 'keyward', 'init', '--json'], {
    env: { KEYWARD_DATA_DIR: dataDir },
    out: (text) => {
      issued = (JSON.parse(text) as { rootKey: string }).rootKey;
    },
    err: () => {},
    fetch,
  });
  expect(code).toBe(0);
  return issued;
};

const start = (dataDir: string) =>
  startServer(loadConfig({ KEYWARD_DATA_DIR: dataDir, KEYWARD_PORT: '0', KEYWARD_LOG_LEVEL: 'silent' }));

/** Issues a key through the API and verifies it `valid` times, then once with a permission it lacks. */
async function traffic(url: string, root: string, valid: number): Promise<string> {
  const client = createClient({ baseUrl: url, rootKey: root });
  const api = await client.apis.create({ name: 'Charging', prefix: 'amp_live' });
  const key = await client.keys.create({ apiId: api.id, permissions: ['sessions:read'] });
  for (let i = 0; i < valid; i++)
    await expect(client.keys.verify({ key: key.key })).resolves.toMatchObject({ valid: true });
  await expect(client.keys.verify({ key: key.key, permissions: 'sessions:write' })).resolves.toMatchObject({
    code: 'INSUFFICIENT_PERMISSIONS',
  });
  return key.id;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'keyward-usage-cli-'));
  rootKey = await init(dir);
  server = await start(dir);
  keyId = await traffic(server.url, rootKey, 4);
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('keyward usage', () => {
  it('shows the verifications keyward serve recorded (written within a flush interval)', async () => {
    await vi.waitFor(
      async () => {
        const run = await keyward(['usage', '--granularity', 'minute', '--from', '10m', '--json']);
        expect(run.code).toBe(0);
        const series = JSON.parse(run.stdout) as UsageSeries;
        expect(series.series.reduce((sum, p) => sum + p.count, 0)).toBe(5);
      },
      { timeout: 10_000, interval: 200 },
    );
  });

  it('prints a table, a sparkline, bars per group and the key totals', async () => {
    const run = await keyward([
      'usage',
      '--granularity',
      'minute',
      '--from',
      '10m',
      '--group-by',
      'outcome',
      '--key',
      keyId,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^START\s+OUTCOME\s+COUNT$/m);
    // Rows are per minute (the traffic may straddle one); the bars are totals over the range.
    expect(run.stdout).toMatch(/^\S+Z\s+VALID\s+\d+$/m);
    expect(run.stdout).toMatch(/^5 verifications, .* per minute$/m);
    expect(run.stdout).toMatch(/^\|[ ▁▂▃▄▅▆▇█]+\| {2}peak \d per minute$/m);
    expect(run.stdout).toMatch(/^VALID {21}█{40} 4$/m);
    expect(run.stdout).toMatch(/^INSUFFICIENT_PERMISSIONS {2}█{10} 1$/m);
    expect(run.stdout).toContain(`key ${keyId}: last used `);
    expect(run.stdout).toContain('5 requests (4 valid) since its first use');
  });

  it('reports bad options in one line', async () => {
    for (const [args, reason] of [
      [['--granularity', 'week'], /--granularity must be minute, hour or day/],
      [['--group-by', 'api'], /--group-by must be outcome, key or consumer/],
      [['--from', 'yesterday'], /--from must be now, a duration ago/],
      [
        ['--granularity', 'minute', '--from', '3d'],
        /^keyward: --from: from\.\.to spans \d+ minute buckets; at most 1440: narrow the range/,
      ],
    ] as const) {
      const run = await keyward(['usage', ...args]);
      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^keyward: [^\n]+$/);
      expect(run.stderr).toMatch(reason);
    }
  });

  it('is served on /metrics as verification counts', async () => {
    const body = await (await fetch(`${server.url}/metrics`)).text();
    expect(body).toMatch(/^keyward_verifications_total\{outcome="VALID"\} 4$/m);
    expect(body).toMatch(/^keyward_verifications_total\{outcome="INSUFFICIENT_PERMISSIONS"\} 1$/m);
  });
});

describe('keyward serve on SIGTERM', () => {
  it('writes every usage event of the requests it answered before exiting', async () => {
    const other = await mkdtemp(path.join(tmpdir(), 'keyward-usage-sigterm-'));
    try {
      const env = cleanEnv({ KEYWARD_DATA_DIR: other, KEYWARD_PORT: '0' });
      const issued = await runKeyward(['init', '--json'], env);
      expect(issued.code).toBe(0);
      const root = (JSON.parse(issued.stdout) as { rootKey: string }).rootKey;
      const serving = await startKeyward(env);
      const client = createClient({ baseUrl: serving.url, rootKey: root });
      const api = await client.apis.create({ name: 'Charging', prefix: 'amp_live' });
      const { key } = await client.keys.create({ apiId: api.id });
      // Verify without pause until the server stops answering, signalling it mid-stream:
      // the last events can only reach the disk through the shutdown flush.
      let answered = 0;
      let stopped = false;
      const load = (async () => {
        while (!stopped) {
          const response = await fetch(`${serving.url}/v1/keys/verify`, {
            method: 'POST',
            headers: { authorization: `Bearer ${root}`, 'content-type': 'application/json' },
            body: JSON.stringify({ key }),
          }).catch(() => null);
          if (response?.status === 200) answered++;
          else stopped = true;
          await response?.arrayBuffer();
        }
      })();
      await vi.waitFor(() => expect(answered).toBeGreaterThan(50), { timeout: 10_000 });
      serving.child.kill('SIGTERM');
      await expect(exitWithin(serving, 15_000)).resolves.toEqual({ code: 0, signal: null });
      stopped = true;
      await load;
      const database = openSqliteDatabase(path.join(other, 'keyward.db'));
      const row = database.prepare('select sum("count") as n from usage_events').get() as { n: number };
      database.close();
      expect(row.n).toBe(answered);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('chart helpers', () => {
  it('parse --from/--to', () => {
    const now = Date.UTC(2030, 0, 2);
    expect(parseWhen('now', now, '--to')).toBe(now);
    expect(parseWhen('24h', now, '--from')).toBe(Date.UTC(2030, 0, 1));
    expect(parseWhen('2030-01-01', now, '--from')).toBe(Date.UTC(2030, 0, 1));
    expect(parseWhen('1893456000000', now, '--from')).toBe(1_893_456_000_000);
    expect(() => parseWhen('soon', now, '--from')).toThrow(/--from must be/);
  });

  it('draw every bucket, blank where there was no traffic, summing into at most the width', () => {
    const series: UsageSeries = {
      granularity: 'minute',
      from: 0,
      to: 4 * 60_000,
      series: [
        { start: 0, outcome: 'VALID', count: 2 },
        { start: 0, outcome: 'NOT_FOUND', count: 2 },
        { start: 120_000, outcome: 'VALID', count: 1 },
        { start: 180_000, outcome: 'VALID', count: 8 },
      ],
    };
    expect(bucketTotals(series)).toEqual([4, 0, 1, 8]);
    expect(sparkline([4, 0, 1, 8])).toBe('▄ ▁█');
    expect(sparkline([1, 1, 0, 0, 2, 2], 3)).toBe('▄ █');
    expect(
      bars(
        new Map([
          ['a', 1],
          ['b', 4],
        ]),
        8,
      ),
    ).toEqual(['b  ████████ 4', 'a  ██ 1']);
  });
});
