import { readFileSync } from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';

/** One line of the benchmark table. Every rate is read against a baseline of the same run. */
export interface Row {
  group: string;
  name: string;
  /** Operations (or requests) per second. */
  rate: number;
  unit: 'ops/s' | 'req/s' | 'events/s';
  p50Ms: number | null;
  p99Ms: number | null;
  /** Name of the row this one is compared against (same group), if any. */
  baseline?: string;
  note?: string;
}

const percentile = (sorted: Float64Array, p: number): number =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0);

/**
 * Runs `fn` back to back for `durationMs` after a warm-up, and reports throughput and the
 * latency percentiles of single calls (one in every `sampleEvery` is timed, to keep the
 * timer's own cost out of the throughput).
 */
export async function measureOps(
  fn: () => unknown,
  {
    durationMs = 3000,
    warmupMs = 500,
    sampleEvery = 8,
  }: { durationMs?: number; warmupMs?: number; sampleEvery?: number } = {},
): Promise<{ rate: number; p50Ms: number; p99Ms: number }> {
  const run = async (ms: number, sample: boolean) => {
    const samples: number[] = [];
    let ops = 0;
    const start = performance.now();
    const end = start + ms;
    while (performance.now() < end) {
      for (let i = 0; i < 256; i++) {
        if (sample && i % sampleEvery === 0) {
          const t = performance.now();
          const r = fn();
          if (r instanceof Promise) await r;
          samples.push(performance.now() - t);
        } else {
          const r = fn();
          if (r instanceof Promise) await r;
        }
        ops++;
      }
    }
    return { ops, elapsed: performance.now() - start, samples };
  };
  await run(warmupMs, false);
  const { ops, elapsed, samples } = await run(durationMs, true);
  const sorted = Float64Array.from(samples).sort();
  return { rate: (ops / elapsed) * 1000, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}

/** autocannon against a URL with fixed connections; returns req/s and latency percentiles (ms). */
export async function measureHttp(options: {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  durationSec?: number;
}): Promise<{ rate: number; p50Ms: number; p99Ms: number; non2xx: number }> {
  const { connections = 10, durationSec = 10, method = 'GET', headers = {}, url } = options;
  const result = await autocannon({
    url,
    method,
    headers,
    connections,
    duration: durationSec,
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  return {
    rate: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
  };
}

/**
 * CPU time (user + system, µs) a process has used so far, from `/proc/<pid>/stat`; null
 * where there is no procfs. Read before and after a measurement, it gives the server's CPU
 * per request: steadier than req/s on a machine whose cores are shared.
 */
export function processCpuUs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1e6) / 100;
  } catch {
    return null;
  }
}

/** The round with the median rate (the upper one of an even count). */
export function median<T extends { rate: number }>(rounds: readonly T[]): T {
  const sorted = [...rounds].sort((a, b) => a.rate - b.rate);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error('median of no rounds');
  return middle;
}

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function renderTable(rows: readonly Row[]): string {
  const byName = new Map(rows.map((r) => [`${r.group}\u0000${r.name}`, r]));
  const lines = [
    '| group | benchmark | rate | p50 ms | p99 ms | vs baseline |',
    '|---|---|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const base = r.baseline === undefined ? undefined : byName.get(`${r.group}\u0000${r.baseline}`);
    const ratio = base === undefined ? '' : `${((r.rate / base.rate) * 100).toFixed(1)}% of ${base.name}`;
    const fmt = (v: number | null) => (v === null ? '' : v < 0.01 ? v.toFixed(4) : v.toFixed(3));
    lines.push(
      `| ${r.group} | ${r.name}${r.note ? ` (${r.note})` : ''} | ${Math.round(r.rate).toLocaleString('en-US')} ${r.unit} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}
