import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppLogger } from './logging.js';
import { createTestApp, type TestApp } from './testing/test-app.js';
import { call, clientFor } from './testing/test-client.js';

/**
 * Runs the whole life of a key (create, verify, roll, revoke, import, root-key roll) plus
 * hostile placements of the secrets (query string, path, request id, broken bodies), with
 * all logs captured at trace level, then greps the logs and the SQLite bytes for them.
 */
const PEPPER = 'canary-pepper-Zq8XwY2v-3b7e1d9c5a0f4e2b';
const IMPORTED = 'canary_legacy_key_6f1d2c9a8b7e';

let t: TestApp;
const lines: string[] = [];
const secrets: string[] = [];

beforeAll(async () => {
  const logger = createAppLogger({
    level: 'trace',
    destination: { write: (line: string) => void lines.push(line) },
  });
  t = await createTestApp({ storage: 'file', pepper: PEPPER, logger });
  secrets.push(PEPPER, IMPORTED, t.a.rootKey, t.b.rootKey);
  const api = clientFor(t.app, t.a.rootKey);
  const apiId = (await api.post('/v1/apis', { name: 'Canary', prefix: 'canary' })).json().id;
  const created = (
    await api.post('/v1/keys', { apiId, credits: { remaining: 5 } }, { 'idempotency-key': 'canary-idem' })
  ).json();
  secrets.push(created.key);
  await api.post('/v1/keys', { apiId, credits: { remaining: 5 } }, { 'idempotency-key': 'canary-idem' });
  await api.post('/v1/keys/verify', { key: created.key });
  const rolled = (await api.post(`/v1/keys/${created.id}/roll`, { gracePeriodMs: 60_000 })).json();
  secrets.push(rolled.key);
  await api.post('/v1/keys/verify', { key: created.key });
  await api.post('/v1/keys/verify', { key: rolled.key });
  await api.post(`/v1/keys/${created.id}/revoke`);
  await api.post('/v1/keys/verify', { key: rolled.key });
  await api.post('/v1/keys/import', { apiId, keys: [{ plaintext: IMPORTED }] });
  await api.post('/v1/keys/verify', { key: IMPORTED });
  const root = (await api.post('/v1/root-keys', { permissions: ['keys:read'] })).json();
  secrets.push(root.key);
  const rootRolled = (await api.post(`/v1/root-keys/${root.id}/roll`)).json();
  secrets.push(rootRolled.key);

  // Secrets where they do not belong: they must still not reach a log line.
  await api.get(`/v1/keys?key=${rolled.key}`);
  await api.get(`/v1/keys/${rolled.key}`);
  await api.get('/v1/apis', { 'x-request-id': rolled.key });
  await call(t.app, rolled.key, 'GET', '/v1/apis');
  await t.app.inject({
    method: 'POST',
    url: '/v1/keys/verify',
    headers: { authorization: `Bearer ${t.a.rootKey}`, 'content-type': 'application/json' },
    payload: `{"key": "${rolled.key}"`,
  });
  await t.app.inject({
    method: 'POST',
    url: '/v1/keys/verify',
    headers: { authorization: `Bearer ${t.a.rootKey}`, 'content-type': 'text/plain' },
    payload: rolled.key,
  });
  t.store.keys.list = async () => {
    throw new Error('forced failure');
  };
  await api.get('/v1/keys');
});

afterAll(async () => {
  await t.close();
});

describe('no secret reaches a log line or the database', () => {
  it('captured real log output', () => {
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.some((l) => l.includes('"msg":"request failed"'))).toBe(true);
    expect(secrets).toHaveLength(8);
  });

  it('no plaintext key, root key or pepper in the logs', () => {
    const log = lines.join('');
    for (const secret of secrets)
      expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
    // Not even their digests' telltale parts: keys' random bodies.
    for (const secret of secrets) expect(log.includes(secret.slice(-20))).toBe(false);
  });

  it('no plaintext key in the SQLite file or its WAL', () => {
    const path = t.path as string;
    const bytes = Buffer.concat(
      [path, `${path}-wal`, `${path}-shm`].flatMap((file) => {
        try {
          return [readFileSync(file)];
        } catch {
          return [];
        }
      }),
    );
    expect(bytes.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect({ secret, found: bytes.includes(Buffer.from(secret)) }).toEqual({ secret, found: false });
    }
  });
});
