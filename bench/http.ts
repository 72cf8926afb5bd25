import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTsxChild, stopChild } from './child.js';
import { measureHttp, median, processCpuUs, type Row } from './harness.js';

type Measured = Awaited<ReturnType<typeof measureHttp>> & { cpuUsPerRequest: number | null };

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Issue 2's HTTP row: `POST /v1/keys/verify` on the real server (a valid key, cache hit)
 * next to a bare `node:http` server answering a JSON body of the same size (and a bare
 * Fastify route answering it: the framework's floor), each in its own
 * process while autocannon runs in this one, with the same fixed connections.
 */
export async function runHttpBench({
  durationSec = 10,
  connections = 10,
  rounds = 3,
}: {
  durationSec?: number;
  connections?: number;
  /** Alternating rounds (bare, keyward, bare, ...); each row reports its median round. Default 3. */
  rounds?: number;
} = {}): Promise<Row[]> {
  const server = path.join(here, 'http-server.ts');
  const keyward = await startTsxChild<{ url: string; rootKey: string; key: string; body: string }>(server, [
    'keyward',
  ]);
  const bare = await startTsxChild<{ url: string }>(server, ['bare', keyward.info.body]);
  const fastify = await startTsxChild<{ url: string }>(server, ['fastify', keyward.info.body]);
  const request = {
    method: 'POST' as const,
    headers: { authorization: `Bearer ${keyward.info.rootKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ key: keyward.info.key }),
    connections,
  };
  try {
    const measured = async (url: string, pid: number | undefined): Promise<Measured> => {
      const before = processCpuUs(pid);
      const result = await measureHttp({ ...request, url, durationSec });
      const after = processCpuUs(pid);
      const requests = result.rate * durationSec;
      const cpuUsPerRequest =
        before === null || after === null || requests === 0 ? null : (after - before) / requests;
      return { ...result, cpuUsPerRequest };
    };
    const bareUrl = `${bare.info.url}/v1/keys/verify`;
    const keywardUrl = `${keyward.info.url}/v1/keys/verify`;
    await measureHttp({ ...request, url: bareUrl, durationSec: 2 });
    await measureHttp({ ...request, url: keywardUrl, durationSec: 2 });
    const fastifyUrl = `${fastify.info.url}/v1/keys/verify`;
    await measureHttp({ ...request, url: fastifyUrl, durationSec: 2 });
    const bareRounds: Measured[] = [];
    const fastifyRounds: Measured[] = [];
    const verifyRounds: Measured[] = [];
    // Alternating rounds, medians kept: drift in the machine's load hits both rows alike.
    for (let round = 0; round < rounds; round++) {
      bareRounds.push(await measured(bareUrl, bare.child.pid));
      fastifyRounds.push(await measured(fastifyUrl, fastify.child.pid));
      verifyRounds.push(await measured(keywardUrl, keyward.child.pid));
    }
    const bareResult = median(bareRounds);
    const verify = median(verifyRounds);
    const fastifyResult = median(fastifyRounds);
    const spread = (all: Measured[]): string => {
      const cpu = all.map((r) => r.cpuUsPerRequest).filter((us) => us !== null);
      const cpuNote =
        cpu.length === all.length
          ? `, server CPU ${cpu.map((us) => us.toFixed(0)).join('/')} µs per request`
          : '';
      return rounds > 1
        ? `median of ${rounds}: ${all.map((r) => Math.round(r.rate)).join(', ')} req/s${cpuNote}`
        : cpuNote.slice(2);
    };
    const group = 'HTTP verify';
    const bareName = `bare node:http, same ${Buffer.byteLength(keyward.info.body)}-byte JSON`;
    return [
      {
        group,
        name: bareName,
        unit: 'req/s',
        rate: bareResult.rate,
        p50Ms: bareResult.p50Ms,
        p99Ms: bareResult.p99Ms,
        note: spread(bareRounds),
      },
      {
        group,
        name: 'bare Fastify route, same JSON',
        unit: 'req/s',
        rate: fastifyResult.rate,
        p50Ms: fastifyResult.p50Ms,
        p99Ms: fastifyResult.p99Ms,
        baseline: bareName,
        note: spread(fastifyRounds),
      },
      {
        group,
        name: 'POST /v1/keys/verify',
        unit: 'req/s',
        rate: verify.rate,
        p50Ms: verify.p50Ms,
        p99Ms: verify.p99Ms,
        baseline: bareName,
        note: [spread(verifyRounds), verify.non2xx > 0 ? `${verify.non2xx} non-2xx answers` : undefined]
          .filter(Boolean)
          .join('; '),
      },
    ];
  } finally {
    await Promise.all([stopChild(keyward.child), stopChild(bare.child), stopChild(fastify.child)]);
  }
}
