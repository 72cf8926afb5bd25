import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, exitWithin, runKeyward, type ServerProcess, startKeyward } from './cli/test-processes.js';

/**
 * keyward as a newcomer runs it: `serve` in one process, `init` and the HTTP commands in
 * others, on a fresh data directory. Every server line is captured for the log canary.
 */
const PEPPER = 'log-canary-pepper-5c1d0e8f2a4b6c8d0e2f4a6b8c0d2e4f';

let dataDir: string;
let serverEnv: NodeJS.ProcessEnv;
let server: ServerProcess;
const serverOutputs: string[] = [];
const secrets: string[] = [PEPPER];
let rootKey = '';
let workspaceId = '';
let apiId = '';
let keyId = '';
let revokedKey = '';

const cliEnv = (extra: Record<string, string> = {}) =>
  cleanEnv({ KEYWARD_URL: server.url, KEYWARD_ROOT_KEY: rootKey, KEYWARD_DATA_DIR: dataDir, ...extra });

const expectOneLineFailure = (
  run: { code: number | null; stdout: string; stderr: string },
  reason: RegExp,
) => {
  expect(run.code).not.toBe(0);
  expect(run.stdout).toBe('');
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^keyward: /);
  expect(lines[0]).toMatch(reason);
};

const verify = async (key: string): Promise<{ valid: boolean; code: string }> => {
  const response = await fetch(`${server.url}/v1/keys/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ key }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { valid: boolean; code: string };
};

const closedPort = async (): Promise<number> => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
};

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'keyward-cli-'));
  serverEnv = cleanEnv({
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_PORT: '0',
    KEYWARD_PEPPER: PEPPER,
    // The most verbose level, so that the canary sees everything a log could ever hold.
    KEYWARD_LOG_LEVEL: 'trace',
  });
  server = await startKeyward(serverEnv);
}, 120_000);

afterAll(async () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null)
    server.child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('keyward serve + CLI, as separate processes', () => {
  it('logs JSON lines: where it listens and how to get a root key', () => {
    const lines = server.output().trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.output()).toContain('keyward init');
  });

  it('init --json prints exactly the root key and the workspace id', async () => {
    const run = await runKeyward(
      ['init', '--json'],
      cleanEnv({ KEYWARD_DATA_DIR: dataDir, KEYWARD_PEPPER: PEPPER }),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { rootKey: string; workspaceId: string };
    expect(Object.keys(printed)).toEqual(['rootKey', 'workspaceId']);
    expect(run.stdout.trim()).toBe(JSON.stringify(printed));
    expect(printed.workspaceId).toMatch(/^ws_/);
    rootKey = printed.rootKey;
    workspaceId = printed.workspaceId;
    secrets.push(rootKey);
  });

  it('creates an API and a key through the running server', async () => {
    const api = await runKeyward(
      ['apis', 'create', '--name', 'Charging', '--prefix', 'amp_test', '--json'],
      cliEnv(),
    );
    expect(api.stderr).toBe('');
    expect(api.code).toBe(0);
    apiId = (JSON.parse(api.stdout) as { id: string }).id;
    expect(apiId).toMatch(/^api_/);

    const created = await runKeyward(
      [
        ...['keys', 'create', '--api', apiId, '--external-id', 'acme', '--name', 'canary key'],
        ...['--permission', 'sessions:read', '--permission', 'chargers:*', '--ratelimit', 'requests:100:1m'],
        ...['--credits', '1000', '--expires', '30d', '--json'],
      ],
      cliEnv(),
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; key: string };
    expect(key.key).toMatch(/^amp_test_[A-Za-z0-9]{36}$/);
    keyId = key.id;
    revokedKey = key.key;
    secrets.push(key.key);
    await expect(verify(key.key)).resolves.toMatchObject({ valid: true, code: 'VALID' });

    const list = await runKeyward(['keys', 'list', '--api', apiId], cliEnv());
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(keyId);
    expect(list.stdout).toContain('active');
    expect(list.stdout).not.toContain(key.key);

    const revoked = await runKeyward(['keys', 'revoke', keyId], cliEnv());
    expect(revoked.stderr).toBe('');
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`revoked ${keyId}`);
    await expect(verify(key.key)).resolves.toMatchObject({ valid: false });

    const after = await runKeyward(['keys', 'get', keyId, '--json'], cliEnv());
    expect(after.code).toBe(0);
    expect((JSON.parse(after.stdout) as { revokedAt: unknown }).revokedAt).not.toBeNull();
  }, 120_000);

  it('fails with one line: bad root key, missing root key, unknown key, server down', async () => {
    const wrongKey = await runKeyward(
      ['apis', 'list'],
      cliEnv({ KEYWARD_ROOT_KEY: 'kw_root_not_a_real_key' }),
    );
    expectOneLineFailure(wrongKey, /401/);

    const env = cliEnv();
    delete env.KEYWARD_ROOT_KEY;
    expectOneLineFailure(await runKeyward(['keys', 'list'], env), /KEYWARD_ROOT_KEY is not set/);

    expectOneLineFailure(await runKeyward(['keys', 'get', 'key_doesnotexist', '--json'], cliEnv()), /404/);

    const port = await closedPort();
    const down = await runKeyward(['apis', 'list', '--url', `http://127.0.0.1:${port}`], cliEnv());
    expectOneLineFailure(
      down,
      new RegExp(
        `cannot reach http://127\\.0\\.0\\.1:${port} \\(from --url\\): is keyward running\\?; point the CLI at keyward with --url or KEYWARD_URL, or the KEYWARD_HOST/KEYWARD_PORT it listens on$`,
      ),
    );

    expectOneLineFailure(
      await runKeyward(['keys', 'create', '--json'], cliEnv()),
      /required option '--api <id>'/,
    );
  }, 120_000);

  it('refuses bad configuration with one line per problem, never echoing the pepper', async () => {
    const shortPepper = 'short-pepper-canary';
    const run = await runKeyward(
      ['serve'],
      cleanEnv({ KEYWARD_DATA_DIR: dataDir, KEYWARD_PORT: 'eighty', KEYWARD_PEPPER: shortPepper }),
    );
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'keyward: KEYWARD_PORT must be an integer from 0 to 65535 (got "eighty")',
      expect.stringMatching(/^keyward: KEYWARD_PEPPER must be at least 32 characters/),
    ]);
    expect(run.stderr).not.toContain(shortPepper);
  }, 60_000);

  it('stops on SIGTERM with exit code 0', async () => {
    server.child.kill('SIGTERM');
    await expect(exitWithin(server, 10_000)).resolves.toEqual({ code: 0, signal: null });
    serverOutputs.push(server.output());
    expect(server.output()).toContain('keyward stopped');
  }, 60_000);

  it('keeps a key and a revoke acknowledged before SIGKILL', async () => {
    server = await startKeyward(serverEnv);
    expect(server.output()).not.toContain('keyward init'); // a workspace exists now
    const created = await runKeyward(
      ['keys', 'create', '--api', apiId, '--name', 'durable', '--json'],
      cliEnv(),
    );
    expect(created.code).toBe(0);
    const durable = JSON.parse(created.stdout) as { id: string; key: string };
    secrets.push(durable.key);
    const doomed = await runKeyward(
      ['keys', 'create', '--api', apiId, '--name', 'doomed', '--json'],
      cliEnv(),
    );
    const revokedBeforeCrash = JSON.parse(doomed.stdout) as { id: string; key: string };
    secrets.push(revokedBeforeCrash.key);
    expect((await runKeyward(['keys', 'revoke', revokedBeforeCrash.id], cliEnv())).code).toBe(0);
    server.child.kill('SIGKILL');
    await expect(exitWithin(server, 10_000)).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    serverOutputs.push(server.output());

    server = await startKeyward(serverEnv);
    const found = await runKeyward(['keys', 'get', durable.id, '--json'], cliEnv());
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout)).toMatchObject({ id: durable.id, revokedAt: null });
    await expect(verify(durable.key)).resolves.toMatchObject({ valid: true, code: 'VALID' });
    await expect(verify(revokedKey)).resolves.toMatchObject({ valid: false });
    await expect(verify(revokedBeforeCrash.key)).resolves.toMatchObject({ valid: false, code: 'REVOKED' });
    server.child.kill('SIGTERM');
    await expect(exitWithin(server, 10_000)).resolves.toEqual({ code: 0, signal: null });
    serverOutputs.push(server.output());
  }, 180_000);

  it('never wrote a root key, key plaintext or the pepper to its logs or database files', async () => {
    expect(workspaceId).not.toBe('');
    expect(secrets.length).toBe(5);
    const logs = serverOutputs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).toContain('"msg":"request"'); // request lines were captured: the canary saw them
    const files = await readdir(dataDir);
    const stored = (
      await Promise.all(files.map((file) => readFile(path.join(dataDir, file), 'latin1')))
    ).join('');
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
  });
});
