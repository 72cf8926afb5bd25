import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKey } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubKeySource } from '../../src/secret-scanning/github-keys.js';
import { createTestApp, type TestApp } from '../../src/testing/test-app.js';
import { clientFor, type TestClient } from '../../src/testing/test-client.js';

/**
 * The GitHub secret-scanning partner endpoint end to end (issue 10, item 3): signed with
 * locally generated P-256 keys, the key list served by a local HTTP server (as GitHub
 * serves it), every action through alerts, the audit log and the webhook outbox.
 */
interface SigningKey {
  id: string;
  privateKey: KeyObject;
  pem: string;
}
const newSigningKey = (id: string): SigningKey => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { id, privateKey, pem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};

let t: TestApp;
let asA: TestClient;
let asB: TestClient;
let keyList: http.Server;
let published: SigningKey[];
let listFetches = 0;
const current = newSigningKey('f9525bf080f75b3506ca1ead061add62b8633a346606dc5fe544e29231c6ee0d');
let a: { id: string; key: string };
let b: { id: string; key: string };

beforeAll(async () => {
  published = [current];
  keyList = http.createServer((_req, res) => {
    listFetches += 1;
    const body = JSON.stringify({
      public_keys: published.map((k, i) => ({ key_identifier: k.id, key: k.pem, is_current: i === 0 })),
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => keyList.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(keyList.address() as AddressInfo).port}/meta/public_keys/secret_scanning`;
  // The app's clock: an unknown identifier may refresh the list once a minute.
  let now = () => Date.UTC(2030, 0, 1);
  t = await createTestApp({
    storage: 'file',
    app: { githubKeys: createGithubKeySource({ url, now: () => now() }) },
  });
  now = t.clock.now;
  asA = clientFor(t.app, t.a.rootKey);
  asB = clientFor(t.app, t.b.rootKey);
  const issue = async (api: TestClient, prefix: string) => {
    const apiId = (await api.post('/v1/apis', { name: prefix, prefix })).json().id;
    return (await api.post('/v1/keys', { apiId })).json() as { id: string; key: string };
  };
  a = await issue(asA, 'kwa_live');
  b = await issue(asB, 'kwb_live');
  await asB.post('/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['key.leaked', 'alert.raised'] });
  await asA.post('/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['key.leaked'] });
  await t.app.inject({
    method: 'PUT',
    url: '/v1/workspace/policy',
    headers: { authorization: `Bearer ${t.b.rootKey}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ leakedKeys: { action: 'revoke' } }),
  });
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => keyList?.close(resolve));
});

const github = (
  body: string | Buffer,
  signer: SigningKey = current,
  headers: Record<string, string> = {},
) => {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return t.app.inject({
    method: 'POST',
    url: '/v1/secret-scanning/github',
    headers: {
      'content-type': 'application/json',
      'github-public-key-identifier': signer.id,
      'github-public-key-signature': sign('sha256', raw, {
        key: signer.privateKey,
        dsaEncoding: 'der',
      }).toString('base64'),
      ...headers,
    },
    payload: raw,
  });
};
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const outbox = (workspaceId: string) =>
  (
    t.database
      .prepare('select event_type, payload from webhook_messages where workspace_id = ? order by id')
      .all(workspaceId) as Array<{ event_type: string; payload: string }>
  ).map((m) => ({ type: m.event_type, data: JSON.parse(m.payload).data }));

describe('POST /v1/secret-scanning/github', () => {
  let report: string;

  it('acts on every key per its workspace policy and answers GitHub feedback', async () => {
    const unknown = generateKey('kwa_live');
    report = JSON.stringify([
      { token: a.key, type: 'keyward_api_key', url: 'https://github.com/o/r/blob/1/.env', source: 'content' },
      { token: b.key, type: 'keyward_api_key', url: 'https://gist.github.com/x', source: 'gist_content' },
      { token: unknown, type: 'keyward_api_key', url: 'https://github.com/o/r/blob/2/x' },
      { token: 'not-a-key-at-all', type: 'keyward_api_key' },
    ]);
    const res = await github(report);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      { token_hash: sha(a.key), token_type: 'keyward_api_key', label: 'true_positive' },
      { token_hash: sha(b.key), token_type: 'keyward_api_key', label: 'true_positive' },
      { token_hash: sha(unknown), token_type: 'keyward_api_key', label: 'false_positive' },
      { token_hash: sha('not-a-key-at-all'), token_type: 'keyward_api_key', label: 'false_positive' },
    ]);
    // A: disabled (the default), reversibly, with where it was found.
    expect((await asA.get(`/v1/keys/${a.id}`)).json()).toMatchObject({
      enabled: false,
      status: 'disabled',
      disabledReason: 'leaked: https://github.com/o/r/blob/1/.env',
    });
    expect((await asA.post('/v1/keys/verify', { key: a.key })).json().code).toBe('DISABLED');
    // B's policy: revoke.
    expect((await asB.post('/v1/keys/verify', { key: b.key })).json().code).toBe('REVOKED');
    // Alerts, audit and webhooks, in each workspace, and only there.
    for (const [api, key] of [
      [asA, a],
      [asB, b],
    ] as const) {
      const alerts = (await api.get('/v1/alerts?detector=key_leaked')).json().items;
      expect(alerts).toEqual([
        expect.objectContaining({
          detector: 'key_leaked',
          subject: { type: 'key', id: key.id },
          severity: 'critical',
        }),
      ]);
      const audit = (await api.get(`/v1/audit-events?targetId=${key.id}&limit=100`)).json().items;
      expect(audit.map((e: { action: string }) => e.action)).toContain('key.leak_report');
      expect(audit.find((e: { action: string }) => e.action === 'key.leak_report').actor).toBe(
        'github-secret-scanning',
      );
    }
    expect(outbox(t.a.id).map((m) => m.type)).toEqual(['key.leaked']);
    expect(outbox(t.b.id).map((m) => m.type)).toEqual(['alert.raised', 'key.leaked']);
    expect(outbox(t.b.id)[1]?.data).toMatchObject({
      key: { id: b.id, status: 'revoked' },
      url: 'https://gist.github.com/x',
      source: 'github:gist_content',
      action: 'revoked',
    });
    // No plaintext key anywhere it was recorded.
    const dump = JSON.stringify(t.dump());
    for (const secret of [a.key, b.key, unknown]) expect(dump.includes(secret)).toBe(false);
  });

  it('a replay of the same body acts once: same answer, nothing changes', async () => {
    await asA.patch(`/v1/keys/${a.id}`, { enabled: true });
    const before = t.dump();
    const replay = await github(report);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toHaveLength(4);
    expect(t.dump()).toEqual(before);
    expect((await asA.post('/v1/keys/verify', { key: a.key })).json().code).toBe('VALID');
  });

  it('refuses bad signatures, unknown key ids, oversized, malformed and misshapen bodies, changing nothing', async () => {
    const before = t.dump();
    const body = JSON.stringify([{ token: a.key, type: 'keyward_api_key' }]);
    const cases: Array<
      [
        string,
        Promise<{ statusCode: number; json: () => { errors?: Array<{ field: string }> } }>,
        number,
        string?,
      ]
    > = [
      [
        'tampered body',
        github(Buffer.from(body), current, {
          'github-public-key-signature': sign('sha256', Buffer.from(`${body} `), {
            key: current.privateKey,
            dsaEncoding: 'der',
          }).toString('base64'),
        }),
        401,
        'headers.github-public-key-signature',
      ],
      [
        'signed by another key',
        github(body, { ...newSigningKey(current.id) }),
        401,
        'headers.github-public-key-signature',
      ],
      [
        'unknown key id',
        github(body, newSigningKey('unknown-key-id')),
        401,
        'headers.github-public-key-identifier',
      ],
      [
        'no signature',
        t.app.inject({
          method: 'POST',
          url: '/v1/secret-scanning/github',
          headers: { 'content-type': 'application/json', 'github-public-key-identifier': current.id },
          payload: body,
        }),
        400,
        'headers.github-public-key-signature',
      ],
      [
        'garbage signature',
        github(body, current, { 'github-public-key-signature': '!!not base64!!' }),
        400,
        'headers.github-public-key-signature',
      ],
      ['malformed JSON', github('[{"token": '), 400, 'body'],
      ['not an array', github('{"token":"x","type":"y"}'), 400, 'body'],
      ['no token', github('[{"type":"keyward_api_key"}]'), 400, 'body[0].token'],
      ['over 1 MB', github(JSON.stringify([{ token: a.key, type: 'x', url: 'u'.repeat(1_000_001) }])), 413],
      [
        'not JSON',
        t.app.inject({
          method: 'POST',
          url: '/v1/secret-scanning/github',
          headers: { 'content-type': 'text/plain' },
          payload: body,
        }),
        415,
      ],
    ];
    for (const [name, pending, status, field] of cases) {
      const res = await pending;
      expect({ name, status: res.statusCode }).toEqual({ name, status });
      if (field !== undefined)
        expect({ name, field: res.json().errors?.[0]?.field }).toEqual({ name, field });
    }
    expect(t.dump()).toEqual(before);
  });

  it('fetches the key list once, and again for an unknown identifier (at most once a minute)', async () => {
    const rotated = newSigningKey('rotated-key-2031');
    published = [rotated, current];
    const fetches = listFetches;
    const body = JSON.stringify([{ token: generateKey('kwa_live'), type: 'keyward_api_key' }]);
    // Within a minute of the last fetch: unknown stays unknown, without a fetch.
    expect((await github(body, rotated)).statusCode).toBe(401);
    expect(listFetches).toBe(fetches);
    t.clock.advance(60_000);
    expect((await github(body, rotated)).statusCode).toBe(200);
    expect(listFetches).toBe(fetches + 1);
    // Known keys need no fetch.
    expect((await github(`${body} `, current)).statusCode).toBe(200);
    expect(listFetches).toBe(fetches + 1);
  });
});

describe('POST /v1/keys/report-leak', () => {
  it("acts on the caller's keys only; another workspace's key is a false positive, and a replay acts once", async () => {
    const apiId = (await asA.get('/v1/apis')).json().items[0].id;
    const mine = (await asA.post('/v1/keys', { apiId })).json();
    const bApi = (await asB.get('/v1/apis')).json().items[0].id;
    const theirs = (await asB.post('/v1/keys', { apiId: bApi })).json();
    const beforeB = JSON.stringify((await asB.get(`/v1/keys/${theirs.id}`)).json());
    const body = {
      keys: [{ key: mine.key, url: 'https://paste.example/1', source: 'gitleaks' }, { key: theirs.key }],
    };
    const res = await asA.post('/v1/keys/report-leak', body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      items: [
        { keyHash: sha(mine.key), label: 'true_positive', keyId: mine.id, action: 'disabled' },
        { keyHash: sha(theirs.key), label: 'false_positive', keyId: null, action: 'none' },
      ],
      replayed: false,
    });
    expect(JSON.stringify((await asB.get(`/v1/keys/${theirs.id}`)).json())).toBe(beforeB);
    const before = t.dump();
    expect((await asA.post('/v1/keys/report-leak', body)).json()).toMatchObject({ replayed: true });
    expect(t.dump()).toEqual(before);
    expect(JSON.stringify(t.dump())).not.toContain(mine.key);
  });

  it('a leaked root key is revoked, if the reporter may; bad input is a 400 naming the field', async () => {
    const leaked = (await asA.post('/v1/root-keys', { permissions: ['keys:read'] })).json();
    const narrow = clientFor(t.app, await t.rootKey(['keys:write']));
    expect(
      (await narrow.post('/v1/keys/report-leak', { keys: [{ key: leaked.key }] })).json().items[0],
    ).toMatchObject({
      label: 'false_positive',
    });
    expect(
      (await asA.post('/v1/keys/report-leak', { keys: [{ key: leaked.key }] })).json().items[0],
    ).toMatchObject({
      label: 'true_positive',
      keyId: leaked.id,
      action: 'revoked',
    });
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/v1/apis',
          headers: { authorization: `Bearer ${leaked.key}` },
        })
      ).statusCode,
    ).toBe(401);
    const bad = await asA.post('/v1/keys/report-leak', { keys: [] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body.keys');
  });
});

describe('docs/secret-scanning.md', () => {
  it('publishes regular expressions that match keyward keys, and describes the checksum truly', async () => {
    const { readFile } = await import('node:fs/promises');
    const { crc32, keyPattern, BASE62_ALPHABET } = await import('@keyward/core');
    const doc = await readFile(new URL('../../../../docs/secret-scanning.md', import.meta.url), 'utf8');
    const published = [...doc.matchAll(/\| `(\\b[^`]+)` \|/g)].map((m) => new RegExp(m[1] as string));
    expect(published).toHaveLength(3);
    const [api, root, any] = published as [RegExp, RegExp, RegExp];
    for (let i = 0; i < 50; i++) {
      const key = generateKey('amp_live');
      const rootKey = generateKey('kwroot');
      expect(api.test(` ${key} `) && any.test(key) && keyPattern('amp_live').test(key)).toBe(true);
      expect(root.test(`"${rootKey}"`) && !api.test(rootKey)).toBe(true);
      // The last 6 characters: CRC-32 of the rest, 6 base-62 digits, most significant first.
      let value = crc32(key.slice(0, -6));
      let digits = '';
      for (let d = 0; d < 6; d++) {
        digits = BASE62_ALPHABET[value % 62] + digits;
        value = Math.floor(value / 62);
      }
      expect(key.slice(-6)).toBe(digits);
    }
  });
});
