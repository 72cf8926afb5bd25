import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningGateway, startGateway } from '@keyward/server';
import { createKeyFixture, type KeyFixture } from '@keyward/server/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChargingApi } from './app.js';

/**
 * The README's "Behind the gateway": the charging API in gateway mode on a loopback port,
 * keyward's gateway in front of it with this example's gateway.yaml (only the upstream URL
 * changed), and the real engine on a temporary SQLite file.
 */
const EXAMPLE_CONFIG = path.join(import.meta.dirname, '..', 'gateway.yaml');
const REALM = 'Bearer realm="charging-api"';

let fixture: KeyFixture;
let api: FastifyInstance;
let apiUrl: string;
let gateway: RunningGateway;
let configDir: string;
let driverKey: string;
let viewerKey: string;

const through = (
  route: string,
  init: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
) =>
  fetch(`${gateway.url}${route}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      ...(init.key === undefined ? {} : { authorization: `Bearer ${init.key}` }),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

beforeAll(async () => {
  fixture = await createKeyFixture();
  driverKey = (
    await fixture.issue({
      permissions: ['stations:read', 'sessions:read', 'sessions:write'],
      ratelimits: [
        { name: 'reads', limit: 10, duration: 60_000, algorithm: 'sliding_window' },
        { name: 'writes', limit: 3, duration: 60_000, algorithm: 'sliding_window' },
      ],
    })
  ).key;
  viewerKey = (await fixture.issue({ consumerId: null, permissions: ['stations:read'] })).key;

  api = await buildChargingApi({ behindGateway: true });
  apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });

  configDir = await mkdtemp(path.join(tmpdir(), 'charging-gateway-'));
  const example = await readFile(EXAMPLE_CONFIG, 'utf8');
  const config = example.replace('url: http://127.0.0.1:3000', `url: ${apiUrl}`);
  expect(config).not.toBe(example);
  await writeFile(path.join(configDir, 'gateway.yaml'), config);
  gateway = await startGateway({
    file: path.join(configDir, 'gateway.yaml'),
    engine: fixture.engine,
    listen: { host: '127.0.0.1', port: 0 },
    watch: false,
  });
});

afterAll(async () => {
  await gateway?.close();
  await api?.close();
  await fixture?.close();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

describe('the charging API behind the gateway', () => {
  it('a valid key: 200, with the limit state the gateway adds', async () => {
    const res = await through('/stations', { key: driverKey });
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-policy')).toBe('"reads";q=10;w=60');
    expect(res.headers.get('ratelimit')).toMatch(/^"reads";r=9;t=\d+$/);
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(3);
  });

  it("hands the route the caller's consumer, its external id decoded, even if the client forges one", async () => {
    const started = await through('/sessions', {
      key: driverKey,
      body: { stationId: 'st_berlin_1', connectorId: 'c1' },
      headers: { 'x-keyward-consumer-external-id': 'someone-else', 'x-keyward-key-id': 'key_forged' },
    });
    expect(started.status).toBe(201);
    expect(await started.json()).toMatchObject({ owner: fixture.consumer.externalId, status: 'charging' });
  });

  it('no key: 401 from the gateway with a bare challenge', async () => {
    const res = await through('/stations');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(REALM);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('a key without the permission: 403 insufficient_scope, naming it', async () => {
    const res = await through('/sessions', {
      key: viewerKey,
      body: { stationId: 'st_berlin_1', connectorId: 'c1' },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(
      `${REALM}, error="insufficient_scope", scope="sessions:write"`,
    );
  });

  it('a route not in gateway.yaml: 404 from the gateway, never reaching the API', async () => {
    expect((await through('/admin', { key: driverKey })).status).toBe(404);
  });

  it('the public health check passes without a key', async () => {
    expect((await through('/healthz')).status).toBe(200);
  });
});

describe('the charging API called directly, bypassing the gateway', () => {
  it('no identity headers: 401 problem+json', async () => {
    const res = await fetch(`${apiUrl}/stations`, { headers: { authorization: `Bearer ${driverKey}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(REALM);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  /** What the gateway forwards for a key with `stations:read`. */
  const forwarded = {
    'x-keyward-key-id': 'key_1',
    'x-keyward-workspace-id': 'ws_1',
    'x-keyward-api-id': 'api_1',
    'x-keyward-environment': 'live',
    'x-keyward-permissions': 'stations:read',
  };

  it('malformed identity headers: 401', async () => {
    const res = await api.inject({
      url: '/stations',
      headers: { ...forwarded, 'x-keyward-permissions': 'stations read' },
    });
    expect(res.statusCode).toBe(401);
  });

  it("still checks each route's permission against the forwarded ones", async () => {
    const headers = forwarded;
    expect((await api.inject({ url: '/stations', headers })).statusCode).toBe(200);
    const denied = await api.inject({ url: '/sessions', headers });
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['www-authenticate']).toBe(
      `${REALM}, error="insufficient_scope", scope="sessions:read"`,
    );
    const wildcard = { ...headers, 'x-keyward-permissions': 'sessions:*' };
    expect((await api.inject({ url: '/sessions', headers: wildcard })).statusCode).toBe(200);
  });

  it('/healthz stays open', async () => {
    expect((await fetch(`${apiUrl}/healthz`)).status).toBe(200);
  });
});
