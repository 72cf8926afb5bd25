import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTsxChild, stopChild } from './child.js';
import { measureHttp, median, processCpuUs, type Row } from './harness.js';

type Measured = Awaited<ReturnType<typeof measureHttp>> & { cpuUs: number | null };

const here = path.dirname(fileURLToPath(import.meta.url));

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  extra: Pick<Row, 'baseline' | 'note'>;
}

export interface MiddlewareBenchOptions {
  /** Seconds each row is measured. Default 10. */
  durationSec?: number;
  /** Seconds of unmeasured load before each row's first round. Default 2. */
  warmupSec?: number;
  /** Concurrent keep-alive connections of the load generator. Default 50. */
  connections?: number;
  /** Interleaved rounds (bare, protected, bare, ...); each row reports its median round. Default 3. */
  rounds?: number;
  /** Frameworks to measure. Default all three. */
  frameworks?: ReadonlyArray<'express' | 'fastify' | 'hono'>;
}

/**
 * The middleware rows of issue 3: for Express, Fastify and Hono, the same route without
 * keyward and behind the SDK middleware in local mode (a valid key with a permission
 * query and a rate limit checked on every request), served by one process per framework
 * while autocannon runs in this one. The aim: the protected route keeps at least 80% of
 * the bare route's throughput.
 *
 * @example const rows = await runMiddlewareBench({ durationSec: 5 });
 */
export async function runMiddlewareBench(options: MiddlewareBenchOptions = {}): Promise<Row[]> {
  const {
    durationSec = 10,
    warmupSec = 2,
    connections = 50,
    rounds = 3,
    frameworks = ['express', 'fastify', 'hono'],
  } = options;
  const rows: Row[] = [];
  for (const framework of frameworks) {
    const { child, info } = await startTsxChild<{ url: string; key: string }>(
      path.join(here, 'middleware-server.ts'),
      [framework],
    );
    const group = `middleware (${framework})`;
    const bare = `${framework} route`;
    const protectedName = `${framework} route + keyward (local)`;
    const targets: Target[] = [
      { name: bare, url: `${info.url}/bare/stations/7`, headers: {}, extra: {} },
      {
        name: protectedName,
        url: `${info.url}/keyward/stations/7`,
        headers: { authorization: `Bearer ${info.key}` },
        extra: { baseline: bare, note: 'permission query, 1 sliding-window limit' },
      },
    ];
    const all = new Map<string, Measured[]>();
    try {
      for (let round = 0; round < rounds; round++) {
        // Interleaved rounds, medians kept: drift in machine load hits both rows alike.
        for (const target of targets) {
          const { url, headers } = target;
          if (round === 0 && warmupSec > 0)
            await measureHttp({ url, headers, connections, durationSec: warmupSec });
          const before = processCpuUs(child.pid);
          const result = await measureHttp({ url, headers, connections, durationSec });
          const after = processCpuUs(child.pid);
          const requests = result.rate * durationSec;
          const cpuUs =
            before === null || after === null || requests === 0 ? null : (after - before) / requests;
          all.set(target.name, [...(all.get(target.name) ?? []), { ...result, cpuUs }]);
        }
      }
      for (const target of targets) {
        const measured = all.get(target.name);
        if (measured === undefined) continue;
        const result = median(measured);
        const failed = result.non2xx > 0 ? `${result.non2xx} non-2xx answers` : undefined;
        const cpu = measured.every((m) => m.cpuUs !== null)
          ? `server CPU ${measured.map((m) => m.cpuUs?.toFixed(0)).join('/')} µs per request`
          : undefined;
        const rates = `${measured.map((m) => Math.round(m.rate)).join(', ')} req/s`;
        const note = [
          target.extra.note,
          rounds > 1 ? `median of ${rounds}: ${rates}` : undefined,
          cpu,
          failed,
        ]
          .filter(Boolean)
          .join('; ');
        rows.push({
          group,
          name: target.name,
          unit: 'req/s',
          rate: result.rate,
          p50Ms: result.p50Ms,
          p99Ms: result.p99Ms,
          ...target.extra,
          ...(note ? { note } : {}),
        });
      }
    } finally {
      await stopChild(child);
    }
  }
  return rows;
}
