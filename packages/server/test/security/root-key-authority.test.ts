import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../src/testing/test-app.js';
import { clientFor } from '../../src/testing/test-client.js';

/**
 * The rule: a root key can never obtain, change or revoke a credential with more authority
 * than its own. Issue 10, defect 1: a `root_keys:write` key could roll a `*` key (and
 * receive its new plaintext) or revoke it.
 */
let t: TestApp;

beforeEach(async () => {
  t = await createTestApp({ storage: 'file' });
});
afterEach(async () => {
  await t.close();
});

const idOf = async (rootKey: string): Promise<string> => {
  const listed = (await clientFor(t.app, t.a.rootKey).get('/v1/root-keys?limit=100')).json();
  const hint = `${rootKey.slice(0, 11)}…${rootKey.slice(-4)}`;
  return listed.items.find((r: { hint: string }) => r.hint === hint).id;
};

describe('root keys cannot act on stronger root keys', () => {
  it('a root_keys:write key can neither roll nor revoke a * key, and nothing changes', async () => {
    const narrow = clientFor(t.app, await t.rootKey(['root_keys:write']));
    const before = t.dump();
    const rolled = await narrow.post(`/v1/root-keys/${t.a.rootKeyId}/roll`);
    expect(rolled.statusCode).toBe(403);
    expect(rolled.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(rolled.body).not.toMatch(/kwroot_[0-9A-Za-z]{36}/);
    expect((await narrow.post(`/v1/root-keys/${t.a.rootKeyId}/revoke`)).statusCode).toBe(403);
    expect(t.dump()).toEqual(before);
    // The * key still works.
    expect((await clientFor(t.app, t.a.rootKey).get('/v1/apis')).statusCode).toBe(200);
  });

  it('a key cannot roll or revoke a key holding a permission it lacks, even a narrow one', async () => {
    const actor = clientFor(t.app, await t.rootKey(['root_keys:write', 'keys:read']));
    const other = await t.rootKey(['apis:read']);
    const otherId = await idOf(other);
    expect((await actor.post(`/v1/root-keys/${otherId}/roll`)).statusCode).toBe(403);
    expect((await actor.post(`/v1/root-keys/${otherId}/revoke`)).statusCode).toBe(403);
    // keys:write is more than keys:read.
    const writer = await t.rootKey(['keys:write']);
    expect((await actor.post(`/v1/root-keys/${await idOf(writer)}/revoke`)).statusCode).toBe(403);
  });

  it('a key may roll and revoke keys with equal or less authority, itself included', async () => {
    const own = await t.rootKey(['root_keys:write', 'keys:write']);
    const actor = clientFor(t.app, own);
    const weaker = await t.rootKey(['keys:read']);
    const equal = await t.rootKey(['keys:write', 'root_keys:write']);
    expect((await actor.post(`/v1/root-keys/${await idOf(weaker)}/roll`)).statusCode).toBe(200);
    expect((await actor.post(`/v1/root-keys/${await idOf(equal)}/revoke`)).statusCode).toBe(200);
    const self = await actor.post(`/v1/root-keys/${await idOf(own)}/roll`);
    expect(self.statusCode).toBe(200);
    expect(self.json().key).toMatch(/^kwroot_/);
  });

  it('a * key may act on any root key of its workspace', async () => {
    const api = clientFor(t.app, t.a.rootKey);
    const star = await t.rootKey(['*']);
    expect((await api.post(`/v1/root-keys/${await idOf(star)}/roll`)).statusCode).toBe(200);
  });
});
