import path from 'node:path';
import type { ApiView, IssuedKey, IssuedRootKey, KeyView } from '@keyward/protocol';
import { createClient } from '@keyward/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliTestServer, startCliTestServer } from './test-cli-server.js';

/** Every HTTP command, in-process against a real server on a temporary SQLite file. */
let t: CliTestServer;
let dir: string;
let server: CliTestServer['server'];
let rootKey: string;
let keyward: CliTestServer['keyward'];
let json: CliTestServer['json'];
let fails: CliTestServer['fails'];

beforeAll(async () => {
  t = await startCliTestServer();
  ({ dir, server, rootKey, keyward, json, fails } = t);
});

afterAll(async () => {
  await t?.close();
});

describe('apis', () => {
  it('creates, lists, shows and deletes (with --yes only)', async () => {
    const created = await keyward(['apis', 'create', '--name', 'Charging', '--prefix', 'amp_live']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^prefix:\s+amp_live$/m);
    const { items } = await json<{ items: ApiView[] }>(['apis', 'list']);
    const api = items.find((item) => item.prefix === 'amp_live');
    if (!api) throw new Error('created API is not listed');

    const table = await keyward(['apis', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+PREFIX\s+CREATED$/);
    expect(table.stdout).toContain(api.id);
    await expect(json<ApiView>(['apis', 'get', api.id])).resolves.toMatchObject({ name: 'Charging' });

    await fails(['apis', 'delete', api.id], `deleting ${api.id} deletes all its keys; add --yes to confirm`);
    await expect(json<ApiView>(['apis', 'get', api.id])).resolves.toMatchObject({ id: api.id });
    await expect(json(['apis', 'delete', api.id, '--yes'])).resolves.toEqual({ id: api.id, deleted: true });
    await fails(['apis', 'get', api.id], /\(HTTP 404\)$/);
  });

  it('pages with --limit and --cursor', async () => {
    for (const prefix of ['page_a', 'page_b', 'page_c']) {
      expect((await keyward(['apis', 'create', '--name', prefix, '--prefix', prefix])).code).toBe(0);
    }
    const first = await keyward(['apis', 'list', '--limit', '2']);
    const more = /^more: keyward apis list --cursor (\S+)$/m.exec(first.stdout);
    expect(more).not.toBeNull();
    const rest = await json<{ items: ApiView[]; nextCursor: string | null }>([
      'apis',
      'list',
      '--limit',
      '2',
      '--cursor',
      more?.[1] ?? '',
    ]);
    expect(rest.items.length).toBeGreaterThan(0);
    expect(first.stdout).not.toContain(rest.items[0]?.id);
  });

  it("says what the server refused in the command's flags, never in wire paths", async () => {
    await fails(
      ['apis', 'create', '--name', 'bad', '--prefix', 'Bad!'],
      '--prefix must be 2-16 lowercase letters, digits or _, starting with a letter',
    );
    await fails(['apis', 'list', '--limit', '500'], '--limit must be at most 100');
  });
});

describe('consumers and roles', () => {
  it('creates, lists, shows and deletes consumers', async () => {
    const consumer = await json<{ id: string; meta: unknown }>([
      ...['consumers', 'create', '--external-id', 'cust_42', '--name', 'ACME', '--meta', '{"plan":"pro"}'],
    ]);
    expect(consumer.meta).toEqual({ plan: 'pro' });
    expect((await keyward(['consumers', 'list'])).stdout).toMatch(
      new RegExp(`${consumer.id}\\s+cust_42\\s+ACME`),
    );
    expect((await keyward(['consumers', 'get', consumer.id])).stdout).toMatch(/^meta:\s+\{"plan":"pro"\}$/m);
    await expect(json(['consumers', 'delete', consumer.id])).resolves.toEqual({
      id: consumer.id,
      deleted: true,
    });
    await fails(
      ['consumers', 'create', '--external-id', 'x', '--meta', '[1]'],
      /--meta must be a JSON object/,
    );
  });

  it('creates and lists roles', async () => {
    await json([
      'roles',
      'create',
      '--name',
      'reader',
      '--permission',
      'sessions:read',
      '--permission',
      'chargers:*',
    ]);
    expect((await keyward(['roles', 'list'])).stdout).toMatch(/reader\s+sessions:read, chargers:\*/);
  });
});

describe('keys', () => {
  let apiId = '';
  beforeAll(async () => {
    apiId = (await json<ApiView>(['apis', 'create', '--name', 'Keys', '--prefix', 'kk_test'])).id;
  });

  it('creates a key with every option', async () => {
    const before = Date.now();
    const issued = await json<IssuedKey>([
      ...['keys', 'create', '--api', apiId, '--external-id', 'fleet_7', '--name', 'fleet key'],
      ...['--permission', 'sessions:read', '--permission', 'sessions:write', '--role', 'reader'],
      ...['--ratelimit', 'requests:100:1m', '--ratelimit', 'burst:5:1s', '--credits', '1000'],
      ...['--expires', '30d', '--meta', '{"tier":"gold"}'],
    ]);
    expect(issued).toMatchObject({
      apiId,
      name: 'fleet key',
      permissions: ['sessions:read', 'sessions:write'],
      roles: ['reader'],
      ratelimits: [
        expect.objectContaining({ name: 'requests', limit: 100, duration: 60_000 }),
        expect.objectContaining({ name: 'burst', limit: 5, duration: 1000 }),
      ],
      credits: expect.objectContaining({ remaining: 1000 }),
      meta: { tier: 'gold' },
      status: 'active',
    });
    expect(issued.consumerId).toMatch(/^con_/);
    expect(issued.expiresAt).toBeGreaterThanOrEqual(before + 30 * 86_400_000);
    const shown = await keyward(['keys', 'get', issued.id]);
    expect(shown.stdout).toMatch(/^rate limits:\s+requests 100\/1m, burst 5\/1s$/m);
    expect(shown.stdout).not.toContain(issued.key);
  });

  it('prints the plaintext once, with the warning, in human mode', async () => {
    const run = await keyward(['keys', 'create', '--api', apiId, '--name', 'human']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('shown ONCE');
    const plaintexts = run.stdout.match(/kk_test_[A-Za-z0-9]{36}/g);
    expect(plaintexts).toHaveLength(1);
  });

  it('lists by API and consumer, rolls with a grace period and revokes', async () => {
    const consumer = await json<{ id: string }>(['consumers', 'create', '--external-id', 'roller']);
    const issued = await json<IssuedKey>(['keys', 'create', '--api', apiId, '--consumer', consumer.id]);
    const byConsumer = await json<{ items: KeyView[] }>(['keys', 'list', '--consumer', consumer.id]);
    expect(byConsumer.items.map((k) => k.id)).toEqual([issued.id]);
    const byApi = await json<{ items: KeyView[] }>(['keys', 'list', '--api', apiId]);
    expect(byApi.items.map((k) => k.id)).toContain(issued.id);

    const rolled = await json<IssuedKey>(['keys', 'roll', issued.id, '--grace', '1h']);
    expect(rolled.id).toBe(issued.id);
    expect(rolled.key).not.toBe(issued.key);
    const client = createClient({ baseUrl: server.url, rootKey });
    await expect(client.keys.verify({ key: issued.key })).resolves.toMatchObject({ valid: true });
    await expect(client.keys.verify({ key: rolled.key })).resolves.toMatchObject({ valid: true });

    const revoked = await keyward(['keys', 'revoke', issued.id]);
    expect(revoked.stdout).toBe(`revoked ${issued.id} (${rolled.hint})`);
    await expect(client.keys.verify({ key: rolled.key })).resolves.toMatchObject({ valid: false });
    expect((await keyward(['keys', 'list', '--consumer', consumer.id])).stdout).toMatch(/\srevoked\s/);
  });

  it('refuses contradictory or malformed flags before calling the server', async () => {
    await fails(
      ['keys', 'create', '--api', apiId, '--consumer', 'con_x', '--external-id', 'y'],
      /either --consumer/,
    );
    await fails(
      ['keys', 'create', '--api', apiId, '--expires', '2001-01-01'],
      /--expires must be in the future/,
    );
    await fails(['keys', 'create', '--api', apiId, '--credits', 'lots'], /--credits must be an integer/);
    await fails(['keys', 'roll', 'key_x', '--grace', 'forever'], /--grace must be a positive duration/);
  });
});

describe('root keys', () => {
  it('creates a narrower root key, lists and revokes it', async () => {
    const created = await json<IssuedRootKey>([
      'root-keys',
      'create',
      '--permission',
      'keys:verify',
      '--name',
      'ci',
    ]);
    expect(created).toMatchObject({ name: 'ci', permissions: ['keys:verify'] });
    const list = await keyward(['root-keys', 'list']);
    expect(list.stdout).toMatch(new RegExp(`${created.id}\\s+\\S+\\s+ci\\s+keys:verify\\s+active`));
    expect(list.stdout).not.toContain(created.key);

    await fails(['apis', 'list'], /\(HTTP 403\)$/, { KEYWARD_ROOT_KEY: created.key });
    expect((await keyward(['root-keys', 'revoke', created.id])).code).toBe(0);
    await fails(['apis', 'list'], /\(HTTP 401\)$/, { KEYWARD_ROOT_KEY: created.key });
    await fails(
      ['root-keys', 'create', '--permission', 'keys:fly'],
      'unknown root key permission "keys:fly"',
    );
  });
});

describe('usage errors', () => {
  it('prints help with exit code 0', async () => {
    const help = await keyward(['keys', 'create', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--ratelimit <name:limit:duration>');
  });

  it('reports unknown commands, missing options and bad URLs in one line', async () => {
    await fails(['kyes', 'list'], /^keyward: unknown command 'kyes'/);
    await fails(['keys', 'create'], "required option '--api <id>' not specified");
    await fails(
      ['apis', 'list', '--url', 'ftp://example.com'],
      /--url must be an http:\/\/ or https:\/\/ URL/,
    );
    await fails(['apis', 'list'], /KEYWARD_ROOT_KEY is not set/, { KEYWARD_ROOT_KEY: '' });
    await fails(['apis', 'list'], /KEYWARD_ROOT_KEY does not look like a root key/, {
      KEYWARD_ROOT_KEY: 'with space',
    });
  });
});

describe('finding the server', () => {
  it('uses KEYWARD_HOST/KEYWARD_PORT as the server has them when KEYWARD_URL is unset', async () => {
    const { port } = new URL(server.url);
    const found = await keyward(['apis', 'list', '--json'], {
      KEYWARD_URL: '',
      KEYWARD_HOST: '0.0.0.0',
      KEYWARD_PORT: port,
    });
    expect(found.stderr).toBe('');
    expect(found.code).toBe(0);
  });
});

describe('database commands', () => {
  it('migrate brings the configured database up to date (again: idempotent)', async () => {
    const run = await keyward(['migrate']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`database is up to date: sqlite ${path.join(dir, 'keyward.db')}`);
    await expect(json(['migrate'])).resolves.toEqual({
      migrated: true,
      database: `sqlite ${path.join(dir, 'keyward.db')}`,
    });
  });

  it('init --workspace issues a fresh root key for an existing workspace (a lost root key)', async () => {
    const first = await json<{ rootKey: string; workspaceId: string }>([
      ...['init', '--name', 'recovery', '--new-workspace'],
    ]);
    const again = await json<{ rootKey: string; workspaceId: string }>([
      'init',
      '--workspace',
      first.workspaceId,
    ]);
    expect(again.workspaceId).toBe(first.workspaceId);
    expect(again.rootKey).not.toBe(first.rootKey);
    const mine = await json<{ items: ApiView[] }>(['apis', 'list']);
    const recovered = await keyward(['apis', 'list', '--json'], { KEYWARD_ROOT_KEY: again.rootKey });
    expect(recovered.code).toBe(0);
    // Another workspace: it sees none of the first workspace's APIs.
    expect(mine.items.length).toBeGreaterThan(0);
    expect(JSON.parse(recovered.stdout)).toEqual({ items: [], nextCursor: null });
    await fails(['init', '--workspace', 'ws_unknown'], 'no workspace ws_unknown in this database');
  });

  it('prints the root key once, with the warning, in human mode', async () => {
    const run = await keyward(['init', '--name', 'human', '--new-workspace']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('shown ONCE');
    expect(run.stdout.match(/kwroot_[A-Za-z0-9]+/g)).toHaveLength(1);
  });
});

describe('keys report-leak', () => {
  it('reads the keys from stdin, reports them, and never prints one', async () => {
    const api = (await keyward(['apis', 'create', '--name', 'Leaky', '--prefix', 'leaky', '--json'])).stdout;
    const apiId = (JSON.parse(api) as ApiView).id;
    const issued = await json<IssuedKey>(['keys', 'create', '--api', apiId]);
    const run = await keyward(
      ['keys', 'report-leak', '--found-at', 'https://paste.example/9', '--source', 'gitleaks'],
      {},
      `${issued.key}\nnot-a-key\n`,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${issued.id}: disabled`);
    expect(run.stdout).toContain('line 2');
    expect(run.stdout).not.toContain(issued.key);
    const key = await json<KeyView>(['keys', 'get', issued.id]);
    expect(key).toMatchObject({ enabled: false, disabledReason: 'leaked: https://paste.example/9' });
    expect((await keyward(['keys', 'report-leak'], {}, '\n')).stderr).toBe(
      'keyward: no key on stdin: pipe the keys in, one per line',
    );
  });
});
