import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// Not `@keyward/core/testing`: its conformance suites load vitest, and the bench runs this.
import { SOURCE_NODE_ARGS } from '@keyward/core/testing/servers';

/**
 * Test helpers that run keyward as users do: real processes started with
 * `node --conditions=@keyward/source --import tsx packages/server/src/cli.ts ...` from the repository root.
 */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const CLI = [...SOURCE_NODE_ARGS, 'packages/server/src/cli.ts'];

/** The parent's environment without any KEYWARD_* variable (so a developer's shell cannot leak in). */
export const cleanEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.startsWith('KEYWARD_')) env[name] = value;
  return { ...env, ...extra };
};

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one CLI command to completion. */
export function runKeyward(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ServerProcess {
  /** Where it listens (from its start-up log line). */
  url: string;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `keyward serve` and resolves once it said where it listens (by default its JSON
 * log line; `readUrl` reads another kind of line); rejects if it exits first.
 */
export function startKeyward(
  env: NodeJS.ProcessEnv,
  readUrl: (line: string) => string | null = listeningUrl,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...CLI, 'serve'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return new Promise((resolve, reject) => {
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const url = readUrl(line);
        if (url) resolve({ url, child, output: () => output, exited });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    void exited.then(({ code, signal }) =>
      reject(new Error(`keyward serve exited (${code ?? signal}) before listening:\n${output}`)),
    );
  });
}

const listeningUrl = (line: string): string | null => {
  try {
    const entry = JSON.parse(line) as { msg?: unknown; url?: unknown };
    return typeof entry.msg === 'string' &&
      entry.msg.startsWith('keyward listening') &&
      typeof entry.url === 'string'
      ? entry.url
      : null;
  } catch {
    return null;
  }
};

/** Waits for a process to exit, failing the test instead of hanging when it does not within `limitMs`. */
export async function exitWithin(
  server: ServerProcess,
  limitMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`keyward did not exit within ${limitMs} ms`)), limitMs);
  });
  try {
    return await Promise.race([server.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
