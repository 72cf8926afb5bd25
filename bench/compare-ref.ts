import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startTsxChild, stopChild } from './child.js';
import { machineLine, measureHttp, median, processCpuUs } from './harness.js';

/**
 * Before/after in one run: `node --conditions=@keyward/source --import tsx bench/compare-ref.ts
 * --ref <commit>` exports the packages of `<commit>` into a temp tree (sharing this checkout's
 * node_modules, except the `@keyward/*` links, which point at the exported packages), starts this
 * checkout's bench servers there and here, and measures them in alternating rounds next to the
 * same baselines: the verify route against bare `node:http`, and each middleware against its
 * framework's bare route. Prints medians, every round, and the server CPU per request.
 */
const { values } = parseArgs({
  options: {
    ref: { type: 'string' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    faces: { type: 'string', default: 'verify,express,fastify,hono' },
  },
});
if (values.ref === undefined) throw new Error('usage: compare-ref.ts --ref <commit>');
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const durationSec = Number(values.seconds);
const rounds = Number(values.rounds);

const tree = mkdtempSync(path.join(os.tmpdir(), 'keyward-ref-'));
execFileSync('sh', ['-c', `git -C "${root}" archive "${values.ref}" packages | tar -x -C "${tree}"`]);
// The bench servers of this checkout, run against the exported packages.
cpSync(here, path.join(tree, 'bench'), { recursive: true });
cpSync(path.join(root, 'tsconfig.json'), path.join(tree, 'tsconfig.json'));
cpSync(path.join(root, 'package.json'), path.join(tree, 'package.json'));
const modules = path.join(tree, 'node_modules');
mkdirSync(path.join(modules, '@keyward'), { recursive: true });
for (const entry of readdirSync(path.join(root, 'node_modules'))) {
  if (entry !== '@keyward') symlinkSync(path.join(root, 'node_modules', entry), path.join(modules, entry));
}
for (const name of ['protocol', 'core', 'sdk', 'server']) {
  symlinkSync(path.join(tree, 'packages', name), path.join(modules, '@keyward', name));
}

type Measured = Awaited<ReturnType<typeof measureHttp>> & { cpuUs: number | null };
interface Target {
  name: string;
  pid: number | undefined;
  load: Parameters<typeof measureHttp>[0];
}

async function measure(target: Target): Promise<Measured> {
  const before = processCpuUs(target.pid);
  const result = await measureHttp({ ...target.load, durationSec });
  const after = processCpuUs(target.pid);
  const requests = result.rate * durationSec;
  const cpuUs = before === null || after === null || requests === 0 ? null : (after - before) / requests;
  return { ...result, cpuUs };
}

async function compare(targets: Target[], ratios: Array<[string, string]>): Promise<void> {
  for (const target of targets) await measureHttp({ ...target.load, durationSec: 2 });
  const all = new Map<string, Measured[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) all.get(target.name)?.push(await measure(target));
  }
  for (const target of targets) {
    const measured = all.get(target.name) ?? [];
    const mid = median(measured);
    const cpu = measured.map((m) => (m.cpuUs === null ? '?' : m.cpuUs.toFixed(0))).join('/');
    console.log(
      `| ${target.name} | ${Math.round(mid.rate).toLocaleString('en-US')} req/s | ${measured.map((m) => Math.round(m.rate)).join(', ')} | ${cpu} |`,
    );
  }
  for (const [row, baseline] of ratios) {
    const a = median(all.get(row) ?? []);
    const b = median(all.get(baseline) ?? []);
    console.log(`| ${row} / ${baseline} | ${((a.rate / b.rate) * 100).toFixed(1)}% | | |`);
  }
}

console.log(
  `Machine: ${machineLine()}; load average at start ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; ref ${values.ref} vs this checkout; ${rounds} alternating rounds of ${durationSec} s\n`,
);
console.log('| row | median | rounds (req/s) | server CPU µs/request per round |\n|---|---:|---|---|');
const faces = (values.faces ?? '').split(',');
const started: Array<Awaited<ReturnType<typeof startTsxChild>>> = [];
try {
  if (faces.includes('verify')) {
    type Info = { url: string; rootKey: string; key: string; body: string };
    const refServer = await startTsxChild<Info>(path.join(tree, 'bench', 'http-server.ts'), ['keyward']);
    const nowServer = await startTsxChild<Info>(path.join(here, 'http-server.ts'), ['keyward']);
    const bare = await startTsxChild<{ url: string }>(path.join(here, 'http-server.ts'), [
      'bare',
      nowServer.info.body,
    ]);
    started.push(refServer, nowServer, bare);
    const load = (info: { url: string; rootKey?: string; key?: string }) => ({
      url: `${info.url}/v1/keys/verify`,
      method: 'POST' as const,
      headers: { authorization: `Bearer ${info.rootKey ?? ''}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key: info.key ?? '' }),
      connections: 10,
    });
    await compare(
      [
        {
          name: 'bare node:http',
          pid: bare.child.pid,
          load: load({ ...nowServer.info, url: bare.info.url }),
        },
        { name: `verify @ ${values.ref}`, pid: refServer.child.pid, load: load(refServer.info) },
        { name: 'verify @ this checkout', pid: nowServer.child.pid, load: load(nowServer.info) },
      ],
      [
        [`verify @ ${values.ref}`, 'bare node:http'],
        ['verify @ this checkout', 'bare node:http'],
      ],
    );
  }
  for (const framework of ['express', 'fastify', 'hono'].filter((f) => faces.includes(f))) {
    type Info = { url: string; key: string };
    const refServer = await startTsxChild<Info>(path.join(tree, 'bench', 'middleware-server.ts'), [
      framework,
    ]);
    const nowServer = await startTsxChild<Info>(path.join(here, 'middleware-server.ts'), [framework]);
    started.push(refServer, nowServer);
    const targets = (server: typeof refServer, label: string): Target[] => [
      {
        name: `${framework} route @ ${label}`,
        pid: server.child.pid,
        load: { url: `${server.info.url}/bare/stations/7`, connections: 50 },
      },
      {
        name: `${framework} + keyward @ ${label}`,
        pid: server.child.pid,
        load: {
          url: `${server.info.url}/keyward/stations/7`,
          headers: { authorization: `Bearer ${server.info.key}` },
          connections: 50,
        },
      },
    ];
    await compare(
      [...targets(refServer, values.ref), ...targets(nowServer, 'this checkout')],
      [
        [`${framework} + keyward @ ${values.ref}`, `${framework} route @ ${values.ref}`],
        [`${framework} + keyward @ this checkout`, `${framework} route @ this checkout`],
      ],
    );
  }
} finally {
  await Promise.all(started.map((s) => stopChild(s.child)));
  rmSync(tree, { recursive: true, force: true });
}
console.log(
  `\nload average at end ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
