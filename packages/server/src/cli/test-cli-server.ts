import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { loadConfig } from '../config.js';
import { type RunningServer, startServer } from '../start.js';
import { runCli } from './program.js';

/** One CLI run: exit code and what it wrote. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A real server on a temporary SQLite file and the CLI pointed at it, in-process (the
 * `cli/commands.*.test.ts` style): `keyward(args)` runs one command with the root key of
 * the workspace `init` created.
 */
export interface CliTestServer {
  server: RunningServer;
  dir: string;
  rootKey: string;
  keyward(args: readonly string[], env?: NodeJS.ProcessEnv, stdin?: string): Promise<CliResult>;
  /** Runs a command that must succeed with `--json` and parses its one JSON document. */
  json<T>(args: readonly string[]): Promise<T>;
  /** Runs a command that must fail with exactly one `keyward: ...` line on stderr and nothing on stdout. */
  fails(args: readonly string[], reason: RegExp | string, env?: NodeJS.ProcessEnv): Promise<void>;
  close(): Promise<void>;
}

/** `env`: more server configuration, e.g. `{ KEYWARD_WEBHOOK_ADDRESSES: 'loopback' }`. */
export async function startCliTestServer(env: NodeJS.ProcessEnv = {}): Promise<CliTestServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'keyward-commands-'));
  const server = await startServer(
    loadConfig({ ...env, KEYWARD_DATA_DIR: dir, KEYWARD_PORT: '0', KEYWARD_LOG_LEVEL: 'silent' }),
  );
  let rootKey = '';
  const keyward = async (
    args: readonly string[],
    env: NodeJS.ProcessEnv = {},
    stdin?: string,
  ): Promise<CliResult> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['node', 'keyward', ...args], {
      env: { KEYWARD_DATA_DIR: dir, KEYWARD_URL: server.url, KEYWARD_ROOT_KEY: rootKey, ...env },
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      fetch,
      ...(stdin === undefined ? {} : { readStdin: async () => stdin }),
    });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  };
  const init = await keyward(['init', '--json']);
  expect(init.stderr).toBe('');
  rootKey = (JSON.parse(init.stdout) as { rootKey: string }).rootKey;

  return {
    server,
    dir,
    rootKey,
    keyward,
    async json<T>(args: readonly string[]): Promise<T> {
      const run = await keyward([...args, '--json']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      return JSON.parse(run.stdout) as T;
    },
    async fails(args, reason, env = {}) {
      const run = await keyward(args, env);
      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr.split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^keyward: /);
      if (typeof reason === 'string') expect(run.stderr).toBe(`keyward: ${reason}`);
      else expect(run.stderr).toMatch(reason);
    },
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
