import net from 'node:net';
import { POSTGRES_URL, serviceAvailable, uniqueName } from '@keyward/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './program.js';

/**
 * `serve`, `init` and `migrate` against a PostgreSQL that cannot be used: one line naming
 * the database (never its password) and PostgreSQL's or the socket's own reason, on the
 * real server.
 */
const PASSWORD = 'pw-canary-4d2f9b7e';

const run = async (args: readonly string[], databaseUrl: string) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['node', 'keyward', ...args], {
    env: { KEYWARD_DATABASE_URL: databaseUrl, KEYWARD_LOG_LEVEL: 'silent', KEYWARD_PORT: '0' },
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    fetch,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
};

/** A URL on the test server with another user, password, port or database. */
const variant = (change: { user?: string; port?: number; database?: string }): string => {
  const url = new URL(POSTGRES_URL);
  url.username = change.user ?? (url.username || 'postgres');
  url.password = PASSWORD;
  if (change.port !== undefined) url.port = String(change.port);
  if (change.database !== undefined) url.pathname = `/${change.database}`;
  return url.toString();
};

const closedPort = async (): Promise<number> => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
};

describe('database failures of serve, init and migrate', async () => {
  const available = await serviceAvailable('postgres');
  const host = new URL(POSTGRES_URL).host;
  let refusedPort = 0;
  beforeAll(async () => {
    refusedPort = await closedPort();
  });

  const cases = (): Array<[string, string, RegExp]> => {
    const missing = uniqueName('kw_missing');
    const user = uniqueName('kw_nobody');
    return [
      [
        'a missing database',
        variant({ database: missing }),
        new RegExp(`postgres://${host}/${missing}: .*database "${missing}" does not exist$`),
      ],
      [
        'a refused port',
        variant({ port: refusedPort }),
        new RegExp(`postgres://127\\.0\\.0\\.1:${refusedPort}/\\w+: .*connection refused$`),
      ],
      [
        'a wrong user',
        variant({ user }),
        new RegExp(`(role "${user}" does not exist|password authentication failed for user "${user}")$`),
      ],
    ];
  };

  it.runIf(available)(
    'migrate, init and audit verify name the database and the cause, in one line',
    async () => {
      for (const [what, url, reason] of cases()) {
        for (const command of [['migrate'], ['init'], ['audit', 'verify']]) {
          const result = await run(command, url);
          expect({ what, command, code: result.code, stdout: result.stdout }).toEqual({
            what,
            command,
            code: 1,
            stdout: '',
          });
          expect(result.stderr.split('\n')).toHaveLength(1);
          expect(result.stderr).toMatch(/^keyward: cannot use postgres:\/\//);
          expect(result.stderr).toMatch(reason);
          expect(result.stderr).not.toContain(PASSWORD);
        }
      }
    },
  );

  it.runIf(available)('serve says it did not start, with the same cause', async () => {
    for (const [what, url, reason] of cases()) {
      const result = await run(['serve'], url);
      expect({ what, code: result.code }).toEqual({ what, code: 1 });
      expect(result.stderr.split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^keyward: did not start: cannot migrate postgres:\/\//);
      expect(result.stderr).toMatch(reason);
      expect(result.stderr).not.toContain(PASSWORD);
    }
  });
});
