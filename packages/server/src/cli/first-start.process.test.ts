import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, exitWithin, runKeyward, type ServerProcess, startKeyward } from './test-processes.js';

/**
 * The first start as a person at a terminal sees it (`npm start` on a fresh clone):
 * readable log lines, a banner with the URLs and the exact next command, which works when
 * pasted. (Terminals are what `KEYWARD_LOG_FORMAT=pretty` forces here: the pipe the test
 * reads is no TTY. The JSON default for pipes is covered by `cli.process.test.ts`.)
 */
const PEPPER = 'banner-canary-pepper-8e1f3a5c7b9d2e4f6a8c0b2d4e6f8a1c';

let dataDir: string;
let server: ServerProcess;

/** The readable `keyward listening on <url>` log line (the banner follows it). */
const listeningUrl = (line: string): string | null =>
  /INFO: keyward listening on (http:\/\/[^\s]+)/.exec(line)?.[1] ?? null;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'keyward-first-start-'));
  server = await startKeyward(
    cleanEnv({
      KEYWARD_DATA_DIR: dataDir,
      KEYWARD_PORT: '0',
      KEYWARD_PEPPER: PEPPER,
      KEYWARD_LOG_FORMAT: 'pretty',
      // As `npm start` sets it: the banner then names `npm run keyward --`.
      npm_lifecycle_event: 'start',
    }),
    listeningUrl,
  );
  // The banner follows once `startServer` returns: wait for its last line (bounded; a
  // missing banner fails the first test below).
  for (let i = 0; i < 100 && !server.output().includes('Stop with Ctrl+C.'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 120_000);

afterAll(async () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null)
    server.child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('keyward serve on a terminal, first start', () => {
  it('prints readable lines, not JSON, and a banner with the URLs', () => {
    const lines = server.output().split('\n');
    const json = lines.filter((line) => line.startsWith('{'));
    expect(json).toEqual([]);
    expect(server.output()).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: keyward listening on http:\/\/127\.0\.0\.1:\d+/m,
    );
    expect(lines).toContain(`keyward 0.1.0 is running`);
    expect(lines).toContain(`  API        ${server.url}`);
    expect(lines).toContain(`  API docs   ${server.url}/docs`);
    expect(lines).toContain(`  Database   sqlite ${path.join(dataDir, 'keyward.db')}`);
    expect(server.output()).not.toContain(PEPPER);
  });

  it('names the exact next command on an empty data directory, and that command works', async () => {
    const lines = server.output().split('\n');
    const next =
      lines[
        lines.indexOf('No workspace yet. In another terminal, create one and its root key (shown once):') + 1
      ];
    expect(next).toBe(`  KEYWARD_DATA_DIR=${dataDir} npm run keyward -- init`);
    const pasted = await runKeyward(
      ['init', '--json'],
      cleanEnv({ KEYWARD_DATA_DIR: dataDir, KEYWARD_PEPPER: PEPPER }),
    );
    expect(pasted.stderr).toBe('');
    expect(pasted.code).toBe(0);
  }, 60_000);

  it('logs each request as one readable line', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    for (let i = 0; i < 100 && !server.output().includes('GET /healthz'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(server.output()).toMatch(/INFO: GET \/healthz → 200 \(\d+ ms\)/);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    server.child.kill('SIGTERM');
    await expect(exitWithin(server, 10_000)).resolves.toEqual({ code: 0, signal: null });
    expect(server.output()).toContain('INFO: keyward stopped');
  }, 30_000);
});
