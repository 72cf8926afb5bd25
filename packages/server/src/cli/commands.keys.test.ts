import type { ApiView, IssuedKey, KeyView, VerifyKeyResponse } from '@keyward/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliTestServer, startCliTestServer } from './test-cli-server.js';

/** `keys update` and `keys verify`, in-process against a real server. */
let t: CliTestServer;
let apiId: string;

beforeAll(async () => {
  t = await startCliTestServer();
  apiId = (await t.json<ApiView>(['apis', 'create', '--name', 'Keys', '--prefix', 'upd_test'])).id;
});
afterAll(async () => {
  await t?.close();
});

const issue = (...extra: string[]) => t.json<IssuedKey>(['keys', 'create', '--api', apiId, ...extra]);

describe('keys update', () => {
  it('changes only what the flags name, and replaces lists', async () => {
    const key = await issue('--name', 'before', '--permission', 'a:read', '--ratelimit', 'requests:10:1m');
    const updated = await t.json<KeyView>([
      ...['keys', 'update', key.id, '--name', 'after', '--permission', 'b:read', '--permission', 'c:*'],
      ...['--credits', '5', '--expires', '7d', '--meta', '{"tier":"gold"}'],
    ]);
    expect(updated).toMatchObject({
      id: key.id,
      name: 'after',
      permissions: ['b:read', 'c:*'],
      ratelimits: [expect.objectContaining({ name: 'requests', limit: 10 })],
      credits: expect.objectContaining({ remaining: 5 }),
      meta: { tier: 'gold' },
    });
    expect(updated.expiresAt).toBeGreaterThan(Date.now());

    const cleared = await t.json<KeyView>([
      ...['keys', 'update', key.id, '--clear-name', '--clear-permissions', '--clear-ratelimits'],
      ...['--clear-credits', '--never-expires'],
    ]);
    expect(cleared).toMatchObject({
      name: null,
      permissions: [],
      ratelimits: [],
      credits: null,
      expiresAt: null,
    });
  });

  it('disables with a reason and enables again; the key stops and resumes verifying', async () => {
    const key = await issue();
    const human = await t.keyward(['keys', 'update', key.id, '--disable', '--reason', 'abuse']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^status:\s+disabled$/m);
    const denied = await t.keyward(['keys', 'verify', key.key]);
    expect(denied.stderr).toBe('keyward: the key is not valid: DISABLED');
    expect((await t.json<KeyView>(['keys', 'update', key.id, '--enable'])).disabledReason).toBeNull();
    expect((await t.keyward(['keys', 'verify', key.key])).code).toBe(0);
  });

  it('refuses contradictions and an empty update before calling the server', async () => {
    const key = await issue();
    await t.fails(
      ['keys', 'update', key.id, '--enable', '--disable'],
      'give either --enable or --disable, not both',
    );
    await t.fails(
      ['keys', 'update', key.id, '--name', 'x', '--clear-name'],
      /give either --name or --clear-name/,
    );
    await t.fails(['keys', 'update', key.id, '--reason', 'why'], /--reason goes with --disable/);
    await t.fails(['keys', 'update', key.id], /^keyward: nothing to update/);
  });

  it("reports the server's refusals in flags", async () => {
    const key = await issue();
    await t.fails(
      ['keys', 'update', key.id, '--permission', 'bad permission!'],
      /^keyward: --permission #1 may hold only/,
    );
    await t.fails(
      ['keys', 'update', key.id, '--ratelimit', 'requests:2000000000:1s'],
      '--ratelimit #1 limit must be at most 1000000000',
    );
    await t.fails(
      ['keys', 'update', key.id, '--allowed-ip', 'nope'],
      '--allowed-ip #1 is not an IP address or CIDR',
    );
    await t.fails(['keys', 'update', 'key_missing', '--name', 'x'], /\(HTTP 404\)$/);
  });
});

describe('keys verify', () => {
  it('verifies a key given as an argument and prints the answer, never the key', async () => {
    const key = await issue('--external-id', 'acme', '--permission', 'sessions:read', '--credits', '3');
    const run = await t.keyward(['keys', 'verify', key.key, '--permission', 'sessions:read']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^valid:\s+yes$/m);
    expect(run.stdout).toMatch(/^code:\s+VALID$/m);
    expect(run.stdout).toMatch(/^consumer:\s+acme \(con_/m);
    expect(run.stdout).toMatch(/^credits:\s+2$/m);
    expect(run.stdout).not.toContain(key.key);
  });

  it('reads the key from stdin with - (or none), and spends the given cost', async () => {
    const key = await issue('--credits', '10');
    const fromStdin = await t.keyward(['keys', 'verify', '-', '--cost', '4', '--json'], {}, `${key.key}\n`);
    expect(fromStdin.code).toBe(0);
    expect(JSON.parse(fromStdin.stdout)).toMatchObject({ valid: true, credits: { remaining: 6 } });
    const bare = await t.keyward(['keys', 'verify', '--json'], {}, key.key);
    expect((JSON.parse(bare.stdout) as VerifyKeyResponse).credits).toEqual({ remaining: 5 });
    await t.fails(['keys', 'verify'], 'give the key as an argument, or - to read it from stdin');
  });

  it('exits 1 with the code when the key is not valid, the answer still printed', async () => {
    const key = await issue('--permission', 'sessions:read');
    const run = await t.keyward(['keys', 'verify', key.key, '--permission', 'admin', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ valid: false, code: 'INSUFFICIENT_PERMISSIONS' });
    expect(run.stderr).toBe('keyward: the key is not valid: INSUFFICIENT_PERMISSIONS');
    const revoked = await issue();
    await t.keyward(['keys', 'revoke', revoked.id]);
    expect((await t.keyward(['keys', 'verify', revoked.key])).stderr).toBe(
      'keyward: the key is not valid: REVOKED',
    );
  });

  it("names the command's flags in the server's refusals", async () => {
    const key = await issue();
    await t.fails(['keys', 'verify', key.key, '--cost', '2000000000'], '--cost must be at most 1000000000');
    await t.fails(
      ['keys', 'verify', key.key, '--permission', 'a AND ('],
      '--permission: unexpected end of query at position 7',
    );
    await t.fails(
      ['keys', 'verify', key.key, '--ratelimit', 'a:b:c'],
      /^keyward: --ratelimit must be a limit's name/,
    );
  });
});
