import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMonitoringStores } from '@keyward/core/monitoring';
import { createSqliteHandle, openSqliteDatabase } from '@keyward/core/sqlite';
import type { AlertView, AuditEventView } from '@keyward/protocol';
import { createClient } from '@keyward/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { type RunningServer, startServer } from '../../start.js';
import { runCli } from '../program.js';

/** `keyward audit` and `keyward alerts` against a real server (and its SQLite file). */
let dir: string;
let server: RunningServer;
let rootKey: string;
let workspaceId: string;

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

/** A second handle on the server's file (WAL allows it), to tamper with or seed rows. */
const withDatabase = async <T>(run: (database: ReturnType<typeof openSqliteDatabase>) => Promise<T> | T) => {
  const database = openSqliteDatabase(path.join(dir, 'keyward.db'));
  database.pragma('busy_timeout = 5000');
  try {
    return await run(database);
  } finally {
    database.close();
  }
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'keyward-ops-cli-'));
  server = await startServer(
    loadConfig({
      KEYWARD_DATA_DIR: dir,
      KEYWARD_PORT: '0',
      KEYWARD_LOG_LEVEL: 'silent',
      KEYWARD_MONITOR_INTERVAL_MS: '0',
    }),
  );
  await runCli(['node', 'keyward', 'init', '--json'], {
    env: { KEYWARD_DATA_DIR: dir },
    out: (text) => {
      ({ rootKey, workspaceId } = JSON.parse(text) as { rootKey: string; workspaceId: string });
    },
    err: () => {},
    fetch,
  });
  const client = createClient({ baseUrl: server.url, rootKey });
  const api = await client.apis.create({ name: 'Charging', prefix: 'amp' });
  const key = await client.keys.create({ apiId: api.id });
  await client.keys.revoke(key.id);
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('keyward audit', () => {
  it('lists admin actions and verifies the chain; exits 1 once a row is edited', async () => {
    const list = await keyward(['audit', 'list', '--json']);
    expect(list.code).toBe(0);
    const events = (JSON.parse(list.stdout) as { items: AuditEventView[] }).items;
    const actions = events.map((e) => e.action);
    expect(actions[0]).toBe('workspace.create');
    expect(actions.slice(-3)).toEqual(['api.create', 'key.create', 'key.revoke']);
    const filtered = await keyward(['audit', 'list', '--action', 'key.revoke']);
    expect(filtered.stdout).toContain('key.revoke');
    expect(filtered.stdout).not.toContain('api.create');

    const intact = await keyward(['audit', 'verify', '--json']);
    expect(intact.code).toBe(0);
    const [verdict] = JSON.parse(intact.stdout) as Array<{
      ok: boolean;
      count: number;
      head: { seq: number; hash: string };
    }>;
    expect(verdict).toMatchObject({ workspaceId, ok: true, count: events.length });
    const anchor = `${verdict?.head.seq}:${verdict?.head.hash}`;
    expect((await keyward(['audit', 'verify', '--workspace', workspaceId, '--anchor', anchor])).code).toBe(0);
    expect((await keyward(['audit', 'verify', '--workspace', 'ws_nope'])).stderr).toBe(
      'keyward: no workspace ws_nope',
    );

    const victim = events.find((e) => e.action === 'key.create')?.id as string;
    await withDatabase((database) =>
      database.prepare("update audit_events set actor = 'rk_someone_else' where id = ?").run(victim),
    );
    const broken = await keyward(['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('BROKEN');
    expect(broken.stdout).toContain(victim);
    expect(broken.stderr).toBe(`keyward: audit chain broken in 1 workspace(s): ${workspaceId}`);
    // The API says the same.
    const viaApi = await createClient({ baseUrl: server.url, rootKey }).audit.verify();
    expect(viaApi).toMatchObject({ ok: false, brokenAt: victim });
  });
});

describe('keyward alerts', () => {
  it('lists, shows and acknowledges alerts', async () => {
    expect(JSON.parse((await keyward(['alerts', 'list', '--json'])).stdout)).toEqual({
      items: [],
      nextCursor: null,
    });
    const [alert] = await withDatabase(async (database) => {
      // A handle on the second connection; closing the connection below is its end.
      const { alerts } = createMonitoringStores(createSqliteHandle({ database }));
      const synced = await alerts.sync(
        workspaceId,
        ['brute_force'],
        [
          {
            detector: 'brute_force',
            subject: { type: 'ip', id: '203.0.113.66' },
            severity: 'warning',
            summary: '150 unknown keys presented from one address in 10 min',
            evidence: { ip: '203.0.113.66', attempts: 150 },
          },
        ],
        Date.now(),
      );
      return synced.raised;
    });
    const table = await keyward(['alerts', 'list']);
    expect(table.stdout).toContain('brute_force');
    expect(table.stdout).toContain('150 unknown keys');
    const shown = await keyward(['alerts', 'show', alert?.id as string]);
    expect(shown.stdout).toContain('"attempts": 150');
    const acked = await keyward(['alerts', 'ack', alert?.id as string, '--json']);
    expect((JSON.parse(acked.stdout) as AlertView).status).toBe('acknowledged');
    expect((await keyward(['alerts', 'list', '--status', 'nope'])).stderr).toMatch(/--status must be one of/);
  });
});
