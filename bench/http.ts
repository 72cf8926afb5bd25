import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTsxChild, stopChild } from './child.js';
import { measureHttp, type Row } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Issue 2's HTTP row: `POST /v1/keys/verify` on the real server (a valid key, cache hit)
 * next to a bare `node:http` server answering a JSON body of the same size, each in its own
 * process while autocannon runs in this one, with the same fixed connections.
 */
export async function runHttpBench({
  durationSec = 10,
  connections = 10,
}: {
  durationSec?: number;
  connections?: number;
} = {}): Promise<Row[]> {
  const server = path.join(here, 'http-server.ts');
  const keyward = await startTsxChild<{ url: string; rootKey: string; key: string; body: string }>(server, [
    'keyward',
  ]);
  const bare = await startTsxChild<{ url: string }>(server, ['bare', keyward.info.body]);
  const request = {
    method: 'POST' as const,
    headers: { authorization: `Bearer ${keyward.info.rootKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ key: keyward.info.key }),
    connections,
  };
  try {
    await measureHttp({ ...request, url: `${bare.info.url}/v1/keys/verify`, durationSec: 2 });
    const bareResult = await measureHttp({ ...request, url: `${bare.info.url}/v1/keys/verify`, durationSec });
    await measureHttp({ ...request, url: `${keyward.info.url}/v1/keys/verify`, durationSec: 2 });
    const verify = await measureHttp({ ...request, url: `${keyward.info.url}/v1/keys/verify`, durationSec });
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
      },
      {
        group,
        name: 'POST /v1/keys/verify',
        unit: 'req/s',
        rate: verify.rate,
        p50Ms: verify.p50Ms,
        p99Ms: verify.p99Ms,
        baseline: bareName,
        ...(verify.non2xx > 0 ? { note: `${verify.non2xx} non-2xx answers` } : {}),
      },
    ];
  } finally {
    await Promise.all([stopChild(keyward.child), stopChild(bare.child)]);
  }
}
