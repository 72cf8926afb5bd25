import { createHash } from 'node:crypto';
import { generateKey } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../src/testing/test-app.js';
import { clientFor, type TestClient } from '../../src/testing/test-client.js';

/**
 * Issue 10, defect 4: workspace A created an API with B's prefix and imported B's plaintext
 * key: 409 "already exists", versus 201 for an unknown key, so any workspace could test
 * whether a string was a key anywhere, 1000 per call, unseen by B.
 *
 * The design (docs/security.md): digests are unique per workspace, not globally. An import
 * is refused only for a key of the importing workspace; a key of another workspace imports
 * like any unknown string, and both keys live on: verification, one lookup by digest,
 * picks the key of the caller's scope (the verify API's workspace, a gateway's API), and an
 * unscoped caller the oldest. So the answer never depends on another workspace.
 */
let t: TestApp;
let asA: TestClient;
let asB: TestClient;
let aApi: string;
let b: { apiId: string; keyId: string; key: string };

beforeAll(async () => {
  t = await createTestApp({ storage: 'file' });
  asA = clientFor(t.app, t.a.rootKey);
  asB = clientFor(t.app, t.b.rootKey);
  const bApi = (await asB.post('/v1/apis', { name: 'b', prefix: 'bprod' })).json().id;
  const created = (
    await asB.post('/v1/keys', { apiId: bApi, name: 'b key', permissions: ['b:read'] })
  ).json();
  b = { apiId: bApi, keyId: created.id, key: created.key };
  aApi = (await asA.post('/v1/apis', { name: 'a', prefix: 'bprod' })).json().id;
});
afterAll(async () => {
  await t.close();
});

const shape = (res: { statusCode: number; json: () => { items: Array<Record<string, unknown>> } }) => ({
  status: res.statusCode,
  keys: res.json().items.map(({ name, hint, status, imported }) => ({
    name,
    hint: String(hint).slice(0, 6),
    status,
    imported,
  })),
});

describe("importing another workspace's key", () => {
  it('answers exactly like importing an unknown key, by plaintext and by SHA-256', async () => {
    const bAudit = (await asB.get('/v1/audit-events?limit=100')).json().items.length;
    const unknown = generateKey('bprod');
    const asUnknown = await asA.post('/v1/keys/import', {
      apiId: aApi,
      keys: [{ plaintext: unknown, name: 'x' }],
    });
    const asForeign = await asA.post('/v1/keys/import', {
      apiId: aApi,
      keys: [{ plaintext: b.key, name: 'x' }],
    });
    expect(shape(asForeign)).toEqual(shape(asUnknown));
    expect(asForeign.statusCode).toBe(201);
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const other = generateKey('bprod');
    const bOther = (await asB.post('/v1/keys', { apiId: b.apiId })).json().key as string;
    const bySha = await asA.post('/v1/keys/import', {
      apiId: aApi,
      keys: [{ sha256: sha(bOther) }, { sha256: sha(other) }],
    });
    expect(bySha.statusCode).toBe(201);
    // B saw nothing: no audit event, no change.
    expect((await asB.get('/v1/audit-events?limit=100')).json().items.length).toBe(bAudit + 1);
  });

  it("both keys live on: each workspace verifies its own; B's key keeps B's identity everywhere B looks", async () => {
    const verifiedByB = (await asB.post('/v1/keys/verify', { key: b.key })).json();
    expect(verifiedByB).toMatchObject({
      valid: true,
      keyId: b.keyId,
      apiId: b.apiId,
      permissions: ['b:read'],
    });
    const verifiedByA = (await asA.post('/v1/keys/verify', { key: b.key })).json();
    expect(verifiedByA).toMatchObject({ valid: true, apiId: aApi });
    expect(verifiedByA.keyId).not.toBe(b.keyId);
    // Scoped to B's API (what B's gateway does): B's key.
    expect((await asB.post('/v1/keys/verify', { key: b.key, apiId: b.apiId })).json().keyId).toBe(b.keyId);
    // The engine unscoped (a middleware without apiId): the oldest key, B's.
    expect(await t.engine.verifyKey(b.key)).toMatchObject({ valid: true, identity: { keyId: b.keyId } });
  });

  it("A revoking its copy leaves B's key valid", async () => {
    const aCopy = (await asA.post('/v1/keys/verify', { key: b.key })).json().keyId as string;
    expect((await asA.post(`/v1/keys/${aCopy}/revoke`)).statusCode).toBe(200);
    expect((await asA.post('/v1/keys/verify', { key: b.key })).json()).toMatchObject({
      valid: false,
      code: 'REVOKED',
    });
    expect((await asB.post('/v1/keys/verify', { key: b.key })).json()).toMatchObject({
      valid: true,
      keyId: b.keyId,
    });
    expect(await t.engine.verifyKey(b.key)).toMatchObject({ valid: true, identity: { keyId: b.keyId } });
  });

  it('a key of the importing workspace itself is still a 409 naming the entry', async () => {
    const own = (await asA.post('/v1/keys', { apiId: aApi })).json().key as string;
    const res = await asA.post('/v1/keys/import', {
      apiId: aApi,
      keys: [{ plaintext: generateKey('bprod') }, { plaintext: own }],
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().errors[0].field).toBe('body.keys[1].plaintext');
  });
});
