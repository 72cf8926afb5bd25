import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SOURCE_NODE_ARGS } from '@keyward/core/testing/servers';
import { stopChild } from './child.js';
import { measureHttp } from './harness.js';

/**
 * `node --conditions=@keyward/source --import tsx bench/profile.ts --face verify|express|fastify|hono`:
 * runs one bench server under `node --cpu-prof` while autocannon loads it from this process,
 * then prints the top self-time frames (and self time per package) of the server's profile.
 * A tool for finding where the time goes (bench/PROFILE.md), not a benchmark: profiling
 * slows the server down.
 */
const { values } = parseArgs({
  options: {
    face: { type: 'string', default: 'verify' },
    seconds: { type: 'string', default: '8' },
    top: { type: 'string', default: '30' },
    connections: { type: 'string', default: '10' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const face = values.face ?? 'verify';
const dir = await mkdtemp(path.join(os.tmpdir(), 'keyward-prof-'));

const script =
  face === 'verify' || face === 'bare'
    ? path.join(here, 'http-server.ts')
    : path.join(here, 'middleware-server.ts');
const args = face === 'verify' ? ['keyward'] : face === 'bare' ? ['bare', '{}'] : [face];
const child = spawn(
  process.execPath,
  ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...SOURCE_NODE_ARGS, script, ...args],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const stdout = child.stdout;
if (stdout === null) throw new Error('child has no stdout');
const info = await new Promise<{ url: string; key: string; rootKey?: string }>((resolve, reject) => {
  child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  createInterface({ input: stdout }).once('line', (line) => resolve(JSON.parse(line)));
});

const load =
  face === 'verify' || face === 'bare'
    ? {
        url: `${info.url}/v1/keys/verify`,
        method: 'POST' as const,
        headers: { authorization: `Bearer ${info.rootKey ?? ''}`, 'content-type': 'application/json' },
        body: JSON.stringify({ key: info.key }),
      }
    : { url: `${info.url}/keyward/stations/7`, headers: { authorization: `Bearer ${info.key}` } };
const result = await measureHttp({
  ...load,
  connections: Number(values.connections),
  durationSec: Number(values.seconds),
});
await stopChild(child);
console.log(`${face}: ${Math.round(result.rate)} req/s under the profiler, ${result.non2xx} non-2xx`);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const file = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
if (file === undefined) throw new Error(`no profile in ${dir}`);
const profile = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
};
const where = (url: string): string => {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const packages = url.indexOf('/packages/');
  if (packages >= 0) return url.slice(packages + 1);
  const bench = url.indexOf('/bench/');
  return bench >= 0 ? url.slice(bench + 1) : url;
};
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
// Only the samples taken under load: the last `seconds` of the profile, less the shutdown.
const times: number[] = [];
profile.timeDeltas.reduce((t, delta) => {
  times.push(t + delta);
  return t + delta;
}, 0);
const end = times.at(-1) ?? 0;
const from = end - Number(values.seconds) * 1e6 + 500_000;
const to = end - 500_000;
const selfUs = new Map<number, number>();
const inclusive = new Map<string, number>();
profile.samples.forEach((id, i) => {
  const at = times[i] ?? 0;
  if (at < from || at > to) return;
  const us = profile.timeDeltas[i] ?? 0;
  selfUs.set(id, (selfUs.get(id) ?? 0) + us);
  const seen = new Set<string>();
  for (let n: number | undefined = id; n !== undefined; n = parentOf.get(n)) {
    const frame = byId.get(n)?.callFrame;
    if (frame === undefined || frame.url === '' || frame.url.startsWith('node:')) continue;
    seen.add(`${frame.functionName || '(anonymous)'} ${where(frame.url)}:${frame.lineNumber + 1}`);
  }
  for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + us);
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idle = [...selfUs].reduce((sum, [id, us]) => {
  const name = byId.get(id)?.callFrame.functionName;
  return name === '(idle)' ? sum + us : sum;
}, 0);
const busy = total - idle;

const packageOf = (url: string): string => {
  if (url === '') return '(native/gc)';
  if (url.startsWith('node:')) return 'node:*';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m !== null && url.lastIndexOf('node_modules/') > url.indexOf('/packages/')) return m[1] ?? url;
  const own = /\/packages\/([^/]+)\//.exec(url);
  return own === null ? where(url) : `@keyward/${own[1]}`;
};
const frames = new Map<string, number>();
const packages = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (node === undefined || node.callFrame.functionName === '(idle)') continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const name = `${functionName || '(anonymous)'} ${url === '' ? '' : `${where(url)}:${lineNumber + 1}`}`;
  frames.set(name, (frames.get(name) ?? 0) + us);
  const pkg = packageOf(url);
  packages.set(pkg, (packages.get(pkg) ?? 0) + us);
}
const pct = (us: number) => `${((us / busy) * 100).toFixed(1)}%`;
console.log(`busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s profiled\n`);
console.log('| self | frame |\n|---:|---|');
for (const [name, us] of [...frames].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top)))
  console.log(`| ${pct(us)} | ${name.replaceAll('|', '\\|')} |`);
console.log('\n| total | frame (JavaScript of the app and its libraries) |\n|---:|---|');
for (const [name, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top)))
  console.log(`| ${pct(us)} | ${name.replaceAll('|', '\\|')} |`);
console.log('\n| self | package |\n|---:|---|');
for (const [name, us] of [...packages].sort((a, b) => b[1] - a[1]).slice(0, 15))
  console.log(`| ${pct(us)} | ${name} |`);
console.log(`\nprofile: ${path.join(dir, file)}`);
