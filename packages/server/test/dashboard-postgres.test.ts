import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createThrowawayDatabase,
  REDIS_URL,
  serviceAvailable,
  type ThrowawayDatabase,
  uniqueName,
} from '@keyward/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/program.js';
import { loadConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/start.js';

const available = (await serviceAvailable('postgres')) && (await serviceAvailable('redis'));

/**
 * The dashboard and the portal on the scaled-out setup: two keyward processes' worth of
 * state in PostgreSQL + Redis. A session opened on node A works on node B (sessions live in
 * the database), and so does a portal link.
 */
describe.runIf(available)('the dashboard and the portal on PostgreSQL + Redis', () => {
  let database: ThrowawayDatabase;
  let dataDir: string;
  let a: RunningServer;
  let b: RunningServer;
  let rootKey: string;

  beforeAll(async () => {
    database = await createThrowawayDatabase();
    dataDir = await mkdtemp(path.join(tmpdir(), 'keyward-ui-pg-'));
    const env = {
      KEYWARD_DATABASE_URL: database.url,
      KEYWARD_REDIS_URL: REDIS_URL,
      KEYWARD_REDIS_PREFIX: `${uniqueName('kwui')}:`,
      KEYWARD_DATA_DIR: dataDir,
      KEYWARD_PORT: '0',
      KEYWARD_LOG_LEVEL: 'silent',
    };
    const out: string[] = [];
    const code = await runCli(['node', 'keyward', 'init', '--json'], {
      env,
      out: (text) => out.push(text),
      err: (text) => out.push(text),
      fetch,
    });
    expect(code).toBe(0);
    rootKey = (JSON.parse(out.join('')) as { rootKey: string }).rootKey;
    a = await startServer(loadConfig(env));
    b = await startServer(loadConfig(env));
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const csrf = (url: string) => ({ 'x-keyward-csrf': '1', origin: url, 'content-type': 'application/json' });

  it('signs in on one node and uses the session on the other, then signs out on both', async () => {
    const page = await fetch(`${a.url}/dashboard/`);
    expect([200, 503]).toContain(page.status);
    const signIn = await fetch(`${a.url}/dashboard/api/session`, {
      method: 'POST',
      headers: csrf(a.url),
      body: JSON.stringify({ rootKey }),
    });
    expect(signIn.status).toBe(201);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^keyward_session=/);
    const onB = await fetch(`${b.url}/v1/apis`, { headers: { cookie, 'x-keyward-csrf': '1' } });
    expect(onB.status).toBe(200);
    const out = await fetch(`${b.url}/dashboard/api/session`, {
      method: 'DELETE',
      headers: { ...csrf(b.url), cookie },
    });
    expect(out.status).toBe(204);
    expect((await fetch(`${a.url}/v1/apis`, { headers: { cookie, 'x-keyward-csrf': '1' } })).status).toBe(
      401,
    );
  });

  it('opens a portal link created on one node on the other, once', async () => {
    const admin = { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' };
    const api = (await (
      await fetch(`${a.url}/v1/apis`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ name: 'P', prefix: 'pg_live' }),
      })
    ).json()) as { id: string };
    await fetch(`${a.url}/v1/apis/${api.id}/portal-policy`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ enabled: true, allowCreate: true }),
    });
    await fetch(`${a.url}/v1/consumers`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ externalId: 'acme' }),
    });
    const link = (await (
      await fetch(`${a.url}/v1/portal/sessions`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ externalId: 'acme' }),
      })
    ).json()) as { url: string };
    const token = new URL(link.url).hash.replace('#token=', '');
    const exchange = () =>
      fetch(`${b.url}/portal/api/exchange`, {
        method: 'POST',
        headers: csrf(b.url),
        body: JSON.stringify({ token }),
      });
    const first = await exchange();
    expect(first.status).toBe(201);
    expect((await exchange()).status).toBe(401);
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const created = await fetch(`${a.url}/portal/api/keys`, {
      method: 'POST',
      headers: { ...csrf(a.url), cookie },
      body: JSON.stringify({ apiId: api.id, name: 'from the portal' }),
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    const verified = await (
      await fetch(`${b.url}/v1/keys/verify`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ key }),
      })
    ).json();
    expect(verified).toMatchObject({ valid: true, consumer: { externalId: 'acme' } });
  });
});
