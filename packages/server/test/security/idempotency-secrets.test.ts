import { createDecipheriv, createHash, hkdfSync } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../src/testing/test-app.js';
import { clientFor, type TestClient } from '../../src/testing/test-client.js';

/**
 * Issue 10, defect 7: the stored reply of `POST /v1/keys` with an `Idempotency-Key` holds
 * the new plaintext key; without a pepper, a copy of the database plus the Idempotency-Key
 * gave it back. Replies are now also bound to the root key that made the request (which the
 * database never holds): the same root key replays, anything else learns nothing.
 */
let t: TestApp;
let api: TestClient;
beforeEach(async () => {
  t = await createTestApp({ storage: 'file' });
  api = clientFor(t.app, t.a.rootKey);
});
afterEach(async () => {
  await t.close();
});

/** What an attacker with the database file and the Idempotency-Key would try: every key derivable from them. */
function tryOpen(sealed: string, workspaceId: string, idempotencyKey: string): string | null {
  const secret = createHash('sha256').update(`idempotency\u0000${idempotencyKey}`).digest();
  const raw = Buffer.from(sealed, 'base64');
  for (const info of ['keyward idempotent reply v1', 'keyward idempotent reply v2']) {
    try {
      const key = Buffer.from(hkdfSync('sha256', secret, workspaceId, info, 32));
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      // Not this derivation.
    }
  }
  return null;
}

describe('idempotent replies hold no recoverable key', () => {
  it('a database copy plus the Idempotency-Key opens nothing', async () => {
    const apiId = (await api.post('/v1/apis', { name: 'i', prefix: 'idem' })).json().id;
    const created = (await api.post('/v1/keys', { apiId }, { 'idempotency-key': 'order-42' })).json();
    const rootKey = (
      await api.post('/v1/root-keys', { permissions: ['keys:read'] }, { 'idempotency-key': 'rk-7' })
    ).json();
    const copy = new BetterSqlite3(t.path as string, { readonly: true });
    const rows = copy.prepare('select body from idempotency').all() as Array<{ body: string }>;
    copy.close();
    expect(rows).toHaveLength(2);
    for (const [row, idem] of rows.map((r, i) => [r, i === 0 ? 'order-42' : 'rk-7'] as const)) {
      const sealed = (JSON.parse(row.body) as { sealed: string }).sealed;
      const opened = [tryOpen(sealed, t.a.id, 'order-42'), tryOpen(sealed, t.a.id, 'rk-7')];
      expect({ idem, opened }).toEqual({ idem, opened: [null, null] });
    }
    expect(JSON.stringify(rows)).not.toContain(created.key);
    expect(JSON.stringify(rows)).not.toContain(rootKey.key);
  });

  it('the same root key replays the reply, key included; another root key gets 409 and nothing changes', async () => {
    const apiId = (await api.post('/v1/apis', { name: 'i', prefix: 'idem' })).json().id;
    const first = await api.post('/v1/keys', { apiId }, { 'idempotency-key': 'order-43' });
    const replay = await api.post('/v1/keys', { apiId }, { 'idempotency-key': 'order-43' });
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    const other = clientFor(t.app, await t.rootKey(['keys:write']));
    const before = t.dump();
    const refused = await other.post('/v1/keys', { apiId }, { 'idempotency-key': 'order-43' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().errors[0].field).toBe('headers.idempotency-key');
    expect(refused.body).not.toContain(first.json().key);
    expect(t.dump()).toEqual(before);
  });
});
