import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '@keyward/server/testing';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from './client.js';
import { keyward } from './express.js';
import { remoteVerifier } from './remote-verifier.js';

/**
 * Publishable keys and secret keys caught in client code through the Express middleware in
 * remote mode, called with Node's own `fetch` (which sends `sec-fetch-mode: cors` and
 * `user-agent: node`, never `Origin` or `Sec-Fetch-Site` unless told).
 */
const APP = 'https://app.example.com';
let t: TestApp;
let server: http.Server;
let url: string;
let publishable: string;
let secret: { id: string; key: string };

const alerts = async () =>
  (
    await createClient({ baseUrl: t.url ?? '', rootKey: t.a.rootKey }).alerts.list({
      detector: 'key_exposed_in_client',
    })
  ).items;

beforeAll(async () => {
  t = await createTestApp({ listen: true });
  const admin = createClient({ baseUrl: t.url ?? '', rootKey: t.a.rootKey });
  const api = await admin.apis.create({ name: 'Maps', prefix: 'maps' });
  const put = await fetch(`${t.url}/v1/apis/${api.id}/policies/publishable`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${t.a.rootKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ publicPermissions: ['stations:read'], allowedOrigins: [APP] }),
  });
  expect(put.status).toBe(200);
  publishable = (
    await admin.keys.create({ apiId: api.id, kind: 'publishable', permissions: ['stations:read'] })
  ).key;
  secret = await admin.keys.create({ apiId: api.id, permissions: ['stations:read'] });
  const verifier = remoteVerifier({
    baseUrl: t.url ?? '',
    rootKey: await t.rootKey(['keys:verify']),
    cacheTtlMs: 0,
  });
  const app = express();
  app.get('/stations', keyward({ verifier, permissions: 'stations:read', throttle: false }), (req, res) => {
    res.json({ keyId: req.keyward?.keyId });
  });
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await t?.close();
});

const get = (key: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/stations`, { headers: { authorization: `Bearer ${key}`, ...headers } });

describe('express middleware: publishable keys and exposed secret keys', () => {
  it('accepts a publishable key from an allowed origin, refuses it from another or none (403)', async () => {
    const ok = await get(publishable, { origin: APP, 'sec-fetch-site': 'cross-site' });
    expect(ok.status).toBe(200);
    const other = await get(publishable, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(other.status).toBe(403);
    await expect(other.json()).resolves.toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    expect(other.headers.get('www-authenticate')).toBeNull();
    expect((await get(publishable)).status).toBe(403);
  });

  it("never reports a secret key called by Node's fetch; reports it once called from a browser origin", async () => {
    expect((await get(secret.key)).status).toBe(200);
    expect((await get(secret.key, { 'user-agent': 'Mozilla/5.0 Firefox/133.0' })).status).toBe(200);
    await t.exposures.drain();
    await expect(alerts()).resolves.toEqual([]);

    expect((await get(secret.key, { origin: APP, 'sec-fetch-site': 'cross-site' })).status).toBe(200);
    await t.exposures.drain();
    await expect(alerts()).resolves.toEqual([
      expect.objectContaining({
        subject: { type: 'key', id: secret.id },
        evidence: expect.objectContaining({ origin: APP, secFetchSite: 'cross-site', userAgent: 'node' }),
      }),
    ]);
  });
});
