import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'undici';
import { startTsxChild, stopChild } from './child.js';
import { measureHttp, measureOps, type Row } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface GatewayBenchOptions {
  /** Seconds each row is measured. Default 10. */
  durationSec?: number;
  /** Seconds of unmeasured load before each row. Default 2. */
  warmupSec?: number;
  /** Concurrent keep-alive connections of the load generator. Default 50. */
  connections?: number;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

const nginxBinary = (): string | null => {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx']) {
    try {
      execFileSync(candidate, ['-v'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
};

/** nginx from Debian's package as a plain reverse proxy: one worker (like the one-process gateway), keep-alive upstream pool, no access log. */
async function startNginx(
  binary: string,
  upstreamUrl: string,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'keyward-bench-nginx-'));
  const port = await freePort();
  const upstream = new URL(upstreamUrl);
  const conf = path.join(dir, 'nginx.conf');
  await writeFile(
    conf,
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream backend { server ${upstream.host}; keepalive 128; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  const child = spawn(binary, ['-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  // nginx prints nothing when ready: wait until it accepts connections (bounded).
  for (let attempt = 0; ; attempt++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) break;
    if (attempt >= 50 || child.exitCode !== null) {
      await stopChild(child);
      throw new Error('nginx did not start');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    stop: async () => {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The gateway rows of issue 6, all against the same upstream in the same run: direct,
 * through nginx `proxy_pass` (the reference), and through keyward's gateway on a public
 * route, with key auth, and with key auth + a rate limit + usage recording. The upstream,
 * nginx and the gateway each run in their own process; autocannon runs in this one.
 * Throughput rows use autocannon (fixed connections); the latency rows time one request
 * at a time on one connection, so "added p50" is read at microsecond resolution.
 *
 * @example const rows = await runGatewayBench({ durationSec: 5 });
 */
export async function runGatewayBench(options: GatewayBenchOptions = {}): Promise<Row[]> {
  const { durationSec = 10, warmupSec = 2, connections = 50 } = options;
  const upstream = await startTsxChild<{ url: string }>(path.join(here, 'gateway-upstream.ts'));
  const rows: Row[] = [];
  const latencyRows: Row[] = [];
  const group = 'gateway (HTTP proxy)';
  const latencyGroup = 'gateway latency (1 connection, sequential)';
  /** Unloaded latency at microsecond resolution: one keep-alive connection, one request at a time. */
  const latency = async (
    name: string,
    url: string,
    headers: Record<string, string>,
    extra: Partial<Row> = {},
  ) => {
    const target = new URL(url);
    const client = new Client(target.origin);
    const path = `${target.pathname}${target.search}`;
    try {
      const once = async () => {
        const response = await client.request({ method: 'GET', path, headers });
        await response.body.dump();
        if (response.statusCode !== 200) throw new Error(`${name}: answered ${response.statusCode}`);
      };
      const result = await measureOps(once, {
        durationMs: Math.max(1000, (durationSec * 1000) / 4),
        warmupMs: 500,
        sampleEvery: 1,
      });
      latencyRows.push({ group: latencyGroup, name, unit: 'req/s', ...result, ...extra });
    } finally {
      await client.close();
    }
  };
  const measure = async (
    name: string,
    url: string,
    headers: Record<string, string>,
    extra: Partial<Row> = {},
  ) => {
    if (warmupSec > 0) await measureHttp({ url, headers, connections, durationSec: warmupSec });
    const result = await measureHttp({ url, headers, connections, durationSec });
    const failed = result.non2xx > 0 ? `${result.non2xx} non-2xx answers` : undefined;
    const note = [extra.note, failed].filter(Boolean).join('; ');
    rows.push({
      group,
      name,
      unit: 'req/s',
      rate: result.rate,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      ...extra,
      ...(note ? { note } : {}),
    });
  };

  try {
    await measure('direct to upstream', `${upstream.info.url}/stations/1`, {});
    await latency('direct to upstream', `${upstream.info.url}/stations/1`, {});

    const binary = nginxBinary();
    if (binary === null) {
      rows.push({
        group,
        name: 'nginx proxy_pass',
        unit: 'req/s',
        rate: 0,
        p50Ms: null,
        p99Ms: null,
        note: 'nginx is not installed (apt-get install nginx-light): row not measured',
      });
    } else {
      const nginx = await startNginx(binary, upstream.info.url);
      try {
        await measure(
          'nginx proxy_pass',
          `${nginx.url}/stations/1`,
          {},
          { baseline: 'direct to upstream', note: '1 worker' },
        );
        await latency('nginx proxy_pass', `${nginx.url}/stations/1`, {}, { baseline: 'direct to upstream' });
      } finally {
        await nginx.stop();
      }
    }
    const reference = binary === null ? 'direct to upstream' : 'nginx proxy_pass';

    const gateway = await startTsxChild<{ url: string; authKey: string; fullKey: string }>(
      path.join(here, 'gateway-server.ts'),
      [upstream.info.url],
    );
    try {
      const { url, authKey, fullKey } = gateway.info;
      // A fresh process: let the JIT see every route before the first row is measured.
      for (const [route, key] of [
        ['public', null],
        ['auth', authKey],
        ['full', fullKey],
      ] as const) {
        const headers: Record<string, string> = key === null ? {} : { authorization: `Bearer ${key}` };
        if (warmupSec > 0)
          await measureHttp({
            url: `${url}/${route}/stations/1`,
            headers,
            connections,
            durationSec: warmupSec,
          });
      }
      await measure('keyward gateway, public route', `${url}/public/stations/1`, {}, { baseline: reference });
      await measure(
        'keyward gateway, key auth',
        `${url}/auth/stations/1`,
        { authorization: `Bearer ${authKey}` },
        {
          baseline: reference,
          note: 'permission query',
        },
      );
      await measure(
        'keyward gateway, key auth + rate limit + usage',
        `${url}/full/stations/1`,
        { authorization: `Bearer ${fullKey}` },
        { baseline: reference, note: 'permission query, 1 sliding-window limit, usage written to SQLite' },
      );
      await latency(
        'keyward gateway, public route',
        `${url}/public/stations/1`,
        {},
        { baseline: 'direct to upstream' },
      );
      await latency(
        'keyward gateway, key auth + rate limit + usage',
        `${url}/full/stations/1`,
        { authorization: `Bearer ${fullKey}` },
        { baseline: 'direct to upstream' },
      );
    } finally {
      await stopChild(gateway.child);
    }
  } finally {
    await stopChild(upstream.child);
  }
  return [...rows, ...latencyRows];
}
