import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@keyward/server';
import { cleanEnv, exitWithin, keywardHttp, seedWorkspace, startQuietKeyward } from '@keyward/server/testing';
import autocannon from 'autocannon';
import type { Row } from './harness.js';

export interface SoakBenchOptions {
  /** Seconds of load at `fraction` of the measured peak. Default 600 (issue 13: ten minutes). */
  durationSec?: number;
  /** Seconds of each slice: one p99, one RSS and one event-loop reading per slice. Default 60. */
  sliceSec?: number;
  /** Seconds of the peak measurement that sets the soak's rate. Default 10. */
  peakSec?: number;
  /** Share of the peak the soak runs at. Default 0.7. */
  fraction?: number;
  /** Keys verified in turn. Default 200. */
  keys?: number;
  /** Admin writes per second beside the verifications (create, update, roll, revoke). Default 5. */
  writesPerSec?: number;
}

/** Resident set size of a process in bytes, from `/proc/<pid>/status`; null without procfs. */
function rssBytes(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

/** prom-client's event-loop delay, p99 and max, since the previous scrape (it resets on every scrape), in ms. */
async function eventLoopMs(url: string): Promise<{ p99: number; max: number } | null> {
  const text = await fetch(`${url}/metrics`).then(
    (response) => (response.ok ? response.text() : ''),
    () => '',
  );
  const p99 = /^nodejs_eventloop_lag_p99_seconds\s+([0-9.e+-]+)$/m.exec(text);
  const max = /^nodejs_eventloop_lag_max_seconds\s+([0-9.e+-]+)$/m.exec(text);
  return p99 === null || max === null ? null : { p99: Number(p99[1]) * 1000, max: Number(max[1]) * 1000 };
}

interface Slice {
  rate: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  rssBytes: number | null;
  eventLoop: { p99: number; max: number } | null;
}

const mib = (bytes: number | null): string => (bytes === null ? '?' : `${(bytes / 2 ** 20).toFixed(0)} MiB`);

/**
 * Issue 13's soak: `keyward serve` on its embedded default (SQLite, usage recorded), its
 * verify route first driven flat out for `peakSec` to find the peak, then held at
 * `fraction` of it for `durationSec` while admin writes (create, update, roll, revoke) run
 * beside it. Reported per slice: p99, RSS and event-loop delay; at the end: RSS growth, p99
 * drift (last slice against the first) and every error (transport errors, non-2xx verify
 * answers, failed writes). Not part of the default run: `npm run bench -- --only soak`.
 */
export async function runSoakBench({
  durationSec = 600,
  sliceSec = 60,
  peakSec = 10,
  fraction = 0.7,
  keys = 200,
  writesPerSec = 5,
}: SoakBenchOptions = {}): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-soak-'));
  const env = cleanEnv({ KEYWARD_DATA_DIR: dir, KEYWARD_LOG_LEVEL: 'warn' });
  const { rootKey } = await seedWorkspace(loadConfig(env));
  const node = await startQuietKeyward(env);
  const admin = keywardHttp(node.url, rootKey);
  try {
    const api = await admin.createApi();
    const plaintexts: string[] = [];
    for (let i = 0; i < keys; i++) {
      const reply = await admin.request('POST', '/v1/keys', {
        apiId: api.id,
        name: `soak ${i}`,
        permissions: ['sessions:read'],
        ratelimits: [{ name: 'requests', limit: 1e9, duration: 60_000 }],
      });
      if (reply.status !== 201) throw new Error(`creating a key failed: ${reply.status}`);
      plaintexts.push(reply.body.key as string);
    }
    const bodies = plaintexts.map((key) => JSON.stringify({ key, permissions: 'sessions:read' }));
    let next = 0;
    const load = (seconds: number, overallRate?: number) =>
      autocannon({
        url: `${node.url}/v1/keys/verify`,
        method: 'POST',
        headers: { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' },
        connections: 10,
        duration: seconds,
        ...(overallRate === undefined ? {} : { overallRate }),
        requests: [
          {
            setupRequest: (request) => {
              next = (next + 1) % bodies.length;
              return { ...request, body: bodies[next] };
            },
          },
        ],
      });

    await load(2);
    const peak = await load(peakSec);
    const rate = Math.max(1, Math.round(peak.requests.average * fraction));

    // Admin writes beside the load, paced by a timer; every failure is counted.
    let writes = 0;
    let writeErrors = 0;
    let writing = true;
    const writer = (async () => {
      const own: string[] = [];
      for (let i = 0; writing; i++) {
        const step = i % 4;
        let status = 0;
        if (step === 0 || own.length === 0) {
          const reply = await admin.request('POST', '/v1/keys', { apiId: api.id, name: `churn ${i}` });
          status = reply.status === 201 ? 200 : reply.status;
          if (reply.status === 201) own.push(reply.body.id as string);
        } else if (step === 1) {
          status = (await admin.request('PATCH', `/v1/keys/${own.at(-1)}`, { name: `renamed ${i}` })).status;
        } else if (step === 2) {
          status = (await admin.request('POST', `/v1/keys/${own.at(-1)}/roll`, { gracePeriodMs: 60_000 }))
            .status;
        } else {
          status = (await admin.request('POST', `/v1/keys/${own.shift()}/revoke`, {})).status;
        }
        writes++;
        if (status < 200 || status >= 300) writeErrors++;
        await new Promise((resolve) => setTimeout(resolve, 1000 / writesPerSec));
      }
    })();

    const slices: Slice[] = [];
    await eventLoopMs(node.url); // starts the first slice's event-loop window
    for (let elapsed = 0; elapsed < durationSec; elapsed += sliceSec) {
      const seconds = Math.min(sliceSec, durationSec - elapsed);
      const result = await load(seconds, rate);
      slices.push({
        rate: result.requests.average,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        errors: result.errors + result.timeouts,
        non2xx: result.non2xx,
        rssBytes: rssBytes(node.child.pid),
        eventLoop: await eventLoopMs(node.url),
      });
      console.error(
        `soak: ${elapsed + seconds}/${durationSec} s, ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, RSS ${mib(slices.at(-1)?.rssBytes ?? null)}, event-loop delay max ${slices.at(-1)?.eventLoop?.max.toFixed(0) ?? '?'} ms`,
      );
    }
    writing = false;
    await writer;

    const first = slices[0];
    const last = slices.at(-1);
    if (first === undefined || last === undefined) throw new Error('the soak ran no slice');
    const errors = slices.reduce((sum, slice) => sum + slice.errors + slice.non2xx, 0) + writeErrors;
    const loops = slices.flatMap((slice) => (slice.eventLoop === null ? [] : [slice.eventLoop]));
    const group = 'soak (SQLite default, usage recorded)';
    const peakName = `verify at peak, ${peakSec} s flat out`;
    const growth =
      first.rssBytes === null || last.rssBytes === null
        ? 'RSS unknown'
        : `RSS ${mib(first.rssBytes)} → ${mib(last.rssBytes)} (${(((last.rssBytes - first.rssBytes) / first.rssBytes) * 100).toFixed(1)}%)`;
    return [
      {
        group,
        name: peakName,
        unit: 'req/s',
        rate: peak.requests.average,
        p50Ms: peak.latency.p50,
        p99Ms: peak.latency.p99,
      },
      {
        group,
        name: `first ${sliceSec} s at ${Math.round(fraction * 100)}% of peak`,
        unit: 'req/s',
        rate: first.rate,
        p50Ms: first.p50Ms,
        p99Ms: first.p99Ms,
        baseline: peakName,
      },
      {
        group,
        name: `last ${sliceSec} s of ${durationSec} s`,
        unit: 'req/s',
        rate: last.rate,
        p50Ms: last.p50Ms,
        p99Ms: last.p99Ms,
        baseline: peakName,
        note: [
          growth,
          `p99 drift ${first.p99Ms} → ${last.p99Ms} ms`,
          loops.length === 0
            ? 'event-loop delay unknown'
            : `event-loop delay per slice: p99 up to ${Math.max(...loops.map((l) => l.p99)).toFixed(1)} ms, max up to ${Math.max(...loops.map((l) => l.max)).toFixed(0)} ms`,
          `${writes} admin writes`,
          `${errors} errors`,
        ].join('; '),
      },
    ];
  } finally {
    node.child.kill('SIGTERM');
    await exitWithin(node, 20_000).catch(() => node.child.kill('SIGKILL'));
    rmSync(dir, { recursive: true, force: true });
  }
}
