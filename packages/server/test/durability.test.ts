import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDigester } from '@keyward/core';
import { createThrowawayDatabase, serviceAvailable } from '@keyward/core/testing';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, type ServerProcess, startKeyward } from '../src/cli/test-processes.js';
import { loadConfig } from '../src/config.js';
import { eventually, keywardHttp, sleep } from '../src/testing/keyward-http.js';
import { seedWorkspace } from '../src/testing/seed.js';
import { driveWrites, newJournal, type TrackedKey, type WriteJournal } from '../src/testing/write-load.js';

/**
 * SIGKILL a keyward node again and again in the middle of key creates, rolls and revokes
 * (real processes, writes over HTTP), then check what survived: every acknowledged write
 * is there, no key is half-written, an acknowledged revoke was never undone, and SQLite's
 * integrity check passes. Run on SQLite and on PostgreSQL.
 */
const CYCLES = 5;
const WORKERS = 6;
const { digest } = createDigester({});

interface Rows {
  keys: { id: string; digest: string; hint: string; revoked_at: number | null }[];
  digests: { digest: string; key_id: string }[];
}

interface Backend {
  name: string;
  env(): Promise<{ env: Record<string, string>; rows(): Promise<Rows>; cleanup(): Promise<void> }>;
}

const sqlite: Backend = {
  name: 'SQLite',
  async env() {
    const dir = await mkdtemp(path.join(tmpdir(), 'kw-durability-'));
    const file = path.join(dir, 'keyward.db');
    return {
      env: { KEYWARD_DATA_DIR: dir },
      async rows() {
        const db = new BetterSqlite3(file);
        try {
          // Opening after the kill recovers the WAL; then the whole file must be sound.
          expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
          expect(db.pragma('foreign_key_check')).toEqual([]);
          return {
            keys: db.prepare('select id, digest, hint, revoked_at from keys').all() as Rows['keys'],
            digests: db.prepare('select digest, key_id from key_digests').all() as Rows['digests'],
          };
        } finally {
          db.close();
        }
      },
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

const postgres: Backend = {
  name: 'PostgreSQL',
  async env() {
    const database = await createThrowawayDatabase();
    return {
      env: { KEYWARD_DATABASE_URL: database.url },
      async rows() {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          const keys = await client.query('select id, digest, hint, revoked_at from keys');
          const digests = await client.query('select digest, key_id from key_digests');
          return { keys: keys.rows, digests: digests.rows };
        } finally {
          await client.end();
        }
      },
      cleanup: () => database.drop(),
    };
  },
};

/** What the stored rows must say about one tracked key. */
function checkRows(key: TrackedKey, rows: Rows): void {
  const row = rows.keys.find((candidate) => candidate.id === key.id);
  expect(row, `acknowledged key ${key.id} is missing`).toBeDefined();
  if (row === undefined) return;
  const previous = new Set(rows.digests.filter((d) => d.key_id === key.id).map((d) => d.digest));
  const [current, ...older] = [...key.secrets].reverse().map(digest);
  if (key.uncertain === 'roll') expect(row.digest === current || previous.has(current ?? '')).toBe(true);
  else expect(row.digest).toBe(current);
  for (const old of older) expect(previous.has(old)).toBe(true);
  const rolls = key.secrets.length - 1;
  expect(previous.size).toBeGreaterThanOrEqual(rolls);
  expect(previous.size).toBeLessThanOrEqual(rolls + (key.uncertain === 'roll' ? 1 : 0));
  if (key.revoked) expect(row.revoked_at).not.toBeNull();
  if (!key.revoked && key.uncertain === null) expect(row.revoked_at).toBeNull();
}

/** No key without its digest and hint, no digest current and previous at once, no orphaned digest. */
function checkWhole(rows: Rows): void {
  const ids = new Set(rows.keys.map((key) => key.id));
  const current = new Set(rows.keys.map((key) => key.digest));
  expect(current.size).toBe(rows.keys.length);
  for (const key of rows.keys) {
    expect(key.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(key.hint.length).toBeGreaterThan(0);
  }
  for (const old of rows.digests) {
    expect(ids.has(old.key_id)).toBe(true);
    expect(current.has(old.digest)).toBe(false);
  }
  expect(new Set(rows.digests.map((d) => d.digest)).size).toBe(rows.digests.length);
}

const backends: Backend[] = [sqlite, ...((await serviceAvailable('postgres')) ? [postgres] : [])];
const live: ServerProcess[] = [];
afterAll(() => {
  for (const server of live) if (server.child.exitCode === null) server.child.kill('SIGKILL');
});

for (const backend of backends) {
  describe(`SIGKILL mid-write on ${backend.name}`, () => {
    it('keeps every acknowledged write whole, and never undoes a revoke', async () => {
      const { env: extra, rows, cleanup } = await backend.env();
      try {
        const env = cleanEnv({ ...extra, KEYWARD_PORT: '0', KEYWARD_LOG_LEVEL: 'info' });
        const { rootKey } = await seedWorkspace(loadConfig(env));
        const journal: WriteJournal = newJournal();
        let apiId = '';
        for (let cycle = 0; cycle < CYCLES; cycle++) {
          const server = await startKeyward(env);
          live.push(server);
          const http = keywardHttp(server.url, rootKey);
          if (apiId === '') apiId = (await http.createApi()).id;
          let killed = false;
          const before = journal.acked.create + journal.acked.roll + journal.acked.revoke;
          const load = driveWrites(http, apiId, journal, { workers: WORKERS, stopped: () => killed });
          // The kill lands at a random moment of full load (a fresh process answers its first requests slowly).
          await eventually(
            'the first write of the cycle',
            async () => journal.acked.create + journal.acked.roll + journal.acked.revoke > before,
          );
          await sleep(200 + randomInt(400));
          server.child.kill('SIGKILL');
          await server.exited;
          killed = true;
          await load;
        }

        const server = await startKeyward(env);
        live.push(server);
        const http = keywardHttp(server.url, rootKey);
        for (const key of journal.keys) {
          expect((await http.request('GET', `/v1/keys/${key.id}`)).status).toBe(200);
          const codes = await Promise.all(
            key.secrets.map(async (secret) => (await http.verify(secret)).body.code),
          );
          const current = codes.pop();
          for (const code of codes) expect(code).toBe('REVOKED');
          if (key.revoked) expect(current).toBe('REVOKED');
          else if (key.uncertain !== null) expect(['VALID', 'REVOKED']).toContain(current);
          else expect(current).toBe('VALID');
        }
        server.child.kill('SIGKILL');
        await server.exited;

        const stored = await rows();
        checkWhole(stored);
        for (const key of journal.keys) checkRows(key, stored);
        expect(journal.unexpected).toEqual([]);
        expect(journal.acked.create).toBeGreaterThan(0);
        const uncertain = journal.keys.filter((key) => key.uncertain !== null).length;
        console.log(
          `durability on ${backend.name}: ${CYCLES} SIGKILLs; acknowledged ${journal.acked.create} creates, ` +
            `${journal.acked.roll} rolls, ${journal.acked.revoke} revokes, all present; ` +
            `${journal.unknownCreates + uncertain} writes cut off without a reply; ${stored.keys.length} keys stored`,
        );
      } finally {
        await cleanup();
      }
    }, 180_000);
  });
}
