import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createEngine } from '@keyward/core';
import { startTsxChild, stopChild } from './child.js';
import { benchKey, benchStore } from './fixtures.js';
import { measureHttp, measureOps, median, type Row } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const peersDir = join(here, 'peers');

/** Better Auth's api-key plugin, as `bench/peers/better-auth.mjs` sets it up. */
export interface BetterAuthPeer {
  key: string;
  verifyKey(key: string): Promise<boolean>;
  close(): void;
}

/**
 * Loads the peer, installing `bench/peers` (pinned in its own lockfile, never part of
 * keyward's install) on first use.
 */
export async function loadBetterAuthPeer(options: {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
}): Promise<BetterAuthPeer> {
  if (!existsSync(join(peersDir, 'node_modules', 'better-auth'))) {
    console.error('bench: installing the peers (npm ci in bench/peers)…');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: peersDir, stdio: 'inherit' });
  }
  const module = (await import(pathToFileURL(join(peersDir, 'better-auth.mjs')).href)) as {
    createBetterAuthPeer(options: { file: string; synchronous: string }): Promise<BetterAuthPeer>;
  };
  return module.createBetterAuthPeer(options);
}

/** Alternating rounds of every entry; each entry's median round. */
async function alternate<T extends { rate: number }>(
  rounds: number,
  runs: ReadonlyArray<() => Promise<T>>,
): Promise<T[]> {
  const all: T[][] = runs.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, run] of runs.entries()) all[i]?.push(await run());
  }
  return all.map((results) => median(results));
}

/**
 * Issue 13's peers group: keyward beside Better Auth's api-key plugin (SQLite, WAL), each
 * verifying one key with one permission, in process and over HTTP (Better Auth behind a
 * minimal `node:http` route, keyward's real `POST /v1/keys/verify`), rounds alternating
 * between the systems, medians of `rounds`. The gateway's peer, nginx, is in the gateway group.
 */
export async function runPeersBench({
  durationMs = 3000,
  durationSec = 10,
  rounds = 3,
}: {
  /** Milliseconds of each in-process round. Default 3000. */
  durationMs?: number;
  /** Seconds of each HTTP round. Default 10. */
  durationSec?: number;
  /** Alternating rounds; medians reported. Default 3. */
  rounds?: number;
} = {}): Promise<Row[]> {
  // In process: keyward's engine on a SQLite file, Better Auth on its own.
  const ctx = await benchStore();
  const engine = createEngine({ store: ctx.store });
  const { key } = await benchKey(ctx, engine, { permissions: ['sessions:read'] });
  const tmp = mkdtempSync(join(tmpdir(), 'keyward-peers-'));
  const full = await loadBetterAuthPeer({ file: join(tmp, 'full.db'), synchronous: 'FULL' });
  const normal = await loadBetterAuthPeer({ file: join(tmp, 'normal.db'), synchronous: 'NORMAL' });
  for (const peer of [full, normal]) {
    if (!(await peer.verifyKey(peer.key))) throw new Error('Better Auth did not verify its own key');
  }
  const checked = await engine.verifyKey(key, { permissions: 'sessions:read' });
  if (!checked.valid) throw new Error(`keyward did not verify the bench key: ${checked.code}`);
  const [keyward, betterFull, betterNormal] = await alternate(rounds, [
    () => measureOps(() => engine.verifyKey(key, { permissions: 'sessions:read' }), { durationMs }),
    () => measureOps(() => full.verifyKey(full.key), { durationMs, warmupMs: 200 }),
    () => measureOps(() => normal.verifyKey(normal.key), { durationMs, warmupMs: 200 }),
  ]);
  await engine.close();
  await ctx.store.close();
  full.close();
  normal.close();

  // Over HTTP, each server in its own process, autocannon in this one.
  const server = join(here, 'http-server.ts');
  const keywardServer = await startTsxChild<{ url: string; rootKey: string; key: string; body: string }>(
    server,
    ['keyward'],
  );
  const bare = await startTsxChild<{ url: string }>(server, ['bare', keywardServer.info.body]);
  const peerServer = await startTsxChild<{ url: string; key: string }>(join(here, 'peer-server.ts'), [
    'FULL',
  ]);
  try {
    const post =
      (url: string, body: object, headers: Record<string, string> = {}) =>
      () =>
        measureHttp({
          url,
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
          connections: 10,
          durationSec,
        });
    const verifyUrl = `${keywardServer.info.url}/v1/keys/verify`;
    const keywardBody = { key: keywardServer.info.key };
    const auth = { authorization: `Bearer ${keywardServer.info.rootKey}` };
    const [bareHttp, keywardHttp, betterHttp] = await alternate(rounds, [
      post(bare.info.url, keywardBody),
      post(verifyUrl, keywardBody, auth),
      post(peerServer.info.url, { key: peerServer.info.key }),
    ]);
    if (keywardHttp === undefined || betterHttp === undefined || bareHttp === undefined) {
      throw new Error('unreachable');
    }
    if (keywardHttp.non2xx > 0 || betterHttp.non2xx > 0) {
      throw new Error(`non-2xx answers: keyward ${keywardHttp.non2xx}, Better Auth ${betterHttp.non2xx}`);
    }
    if (keyward === undefined || betterFull === undefined || betterNormal === undefined) {
      throw new Error('unreachable');
    }
    const inProcess = 'peers: in-process verify (one key, one permission, SQLite WAL)';
    const overHttp = 'peers: HTTP verify (10 connections)';
    const baFull = 'Better Auth verifyApiKey, synchronous=FULL (as keyward)';
    const baHttp = 'Better Auth verifyApiKey behind a minimal node:http route, synchronous=FULL';
    const bareName = 'bare node:http, same JSON as keyward answers';
    const medianNote = `median of ${rounds} alternating rounds`;
    return [
      { group: inProcess, name: baFull, unit: 'ops/s', ...betterFull, note: medianNote },
      {
        group: inProcess,
        name: 'Better Auth verifyApiKey, synchronous=NORMAL',
        unit: 'ops/s',
        ...betterNormal,
        baseline: baFull,
      },
      {
        group: inProcess,
        name: 'keyward engine.verifyKey, cache hit',
        unit: 'ops/s',
        ...keyward,
        baseline: baFull,
        note: `${(keyward.rate / betterNormal.rate).toFixed(0)}× Better Auth at synchronous=NORMAL`,
      },
      { group: overHttp, name: bareName, unit: 'req/s', ...bareHttp, note: medianNote },
      { group: overHttp, name: baHttp, unit: 'req/s', ...betterHttp, baseline: bareName },
      {
        group: overHttp,
        name: 'keyward POST /v1/keys/verify',
        unit: 'req/s',
        ...keywardHttp,
        baseline: baHttp,
        note: `${((keywardHttp.rate / bareHttp.rate) * 100).toFixed(1)}% of bare node:http`,
      },
    ];
  } finally {
    await Promise.all([stopChild(keywardServer.child), stopChild(bare.child), stopChild(peerServer.child)]);
  }
}
