import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SOURCE_NODE_ARGS } from '@keyward/core/testing/servers';

/** Starts `node --conditions=@keyward/source --import tsx <script> ...args` and resolves with the first JSON line it prints. */
export async function startTsxChild<T>(
  script: string,
  args: readonly string[] = [],
): Promise<{ child: ChildProcess; info: T }> {
  const child = spawn(process.execPath, [...SOURCE_NODE_ARGS, script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stdout = child.stdout;
  if (!stdout) throw new Error('child has no stdout');
  const lines = createInterface({ input: stdout });
  const info = await new Promise<T>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as T));
  });
  return { child, info };
}

/** Sends SIGTERM and waits for the child to exit. */
export const stopChild = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
