import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { clientFor, type TestClient } from '../testing/test-client.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe.each([{ pepper: undefined }, { pepper: 'pepper-for-tests-0123456789abcdefghijklmn' }])(
  'POST /v1/keys/import (pepper: $pepper)',
  ({ pepper }) => {
    let t: TestApp;
    let api: TestClient;
    let apiId: string;

    beforeEach(async () => {
      t = await createTestApp(pepper === undefined ? { storage: 'file' } : { storage: 'file', pepper });
      api = clientFor(t.app, t.a.rootKey);
      apiId = (await api.post('/v1/apis', { name: 'Legacy', prefix: 'legacy' })).json().id;
    });
    afterEach(async () => {
      await t.close();
    });

    it('imports plaintext and SHA-256 keys that then verify unchanged', async () => {
      const plain = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
      const hashed = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';
      const res = await api.post('/v1/keys/import', {
        apiId,
        keys: [
          {
            plaintext: plain,
            name: 'old plain',
            externalId: 'acme',
            permissions: ['a:read'],
            credits: { remaining: 2 },
          },
          { sha256: sha256(hashed).toUpperCase(), hint: '…178B', externalId: 'acme', meta: { from: 'v1' } },
        ],
      });
      expect(res.statusCode).toBe(201);
      const [first, second] = res.json().items;
      expect(first).toMatchObject({
        name: 'old plain',
        hint: '…p7dc',
        imported: true,
        credits: { remaining: 2 },
      });
      expect(second).toMatchObject({
        hint: '…178B',
        imported: true,
        meta: { from: 'v1' },
        consumerId: first.consumerId,
      });
      expect(JSON.stringify(res.json())).not.toContain(plain);
      const one = (await api.post('/v1/keys/verify', { key: plain, permissions: 'a:read' })).json();
      expect(one).toMatchObject({
        valid: true,
        keyId: first.id,
        credits: { remaining: 1 },
        consumer: { externalId: 'acme' },
      });
      expect((await api.post('/v1/keys/verify', { key: hashed })).json()).toMatchObject({
        valid: true,
        keyId: second.id,
      });
      expect((await api.get('/v1/consumers')).json().items).toHaveLength(1);
    });

    it('is all or nothing: a duplicate in the batch or of a stored key is a 409 naming the index', async () => {
      const existing = (await api.post('/v1/keys', { apiId })).json().key;
      const before = t.dump();
      const inBatch = await api.post('/v1/keys/import', {
        apiId,
        keys: [
          { plaintext: 'aaaaaaaaaaaaaaaaaaaa1' },
          { plaintext: 'bbbbbbbbbbbbbbbbbbbb2' },
          { sha256: sha256('aaaaaaaaaaaaaaaaaaaa1') },
        ],
      });
      expect(inBatch.statusCode).toBe(409);
      expect(inBatch.json().errors).toEqual([
        { field: 'body.keys[2].sha256', message: expect.stringContaining('body.keys[0]') },
      ]);
      const stored = await api.post('/v1/keys/import', {
        apiId,
        keys: [{ plaintext: 'cccccccccccccccccccc3', externalId: 'new' }, { plaintext: existing }],
      });
      expect(stored.statusCode).toBe(409);
      expect(stored.json().errors[0].field).toBe('body.keys[1].plaintext');
      const invalid = await api.post('/v1/keys/import', {
        apiId,
        keys: [{ plaintext: 'dddddddddddddddddddd4' }, { plaintext: 'short' }, {}],
      });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json().errors.map((e: { field: string }) => e.field)).toContain(
        'body.keys[1].plaintext',
      );
      expect(t.dump()).toEqual(before);
    });

    it('refuses more than 1000 keys, both plaintext and sha256, and a hint beside a plaintext', async () => {
      const many = Array.from({ length: 1001 }, (_, i) => ({ sha256: sha256(String(i)) }));
      const tooMany = await api.post('/v1/keys/import', { apiId, keys: many });
      expect(tooMany.statusCode).toBe(400);
      expect(tooMany.json().errors[0].field).toBe('body.keys');
      const both = await api.post('/v1/keys/import', {
        apiId,
        keys: [{ plaintext: 'eeeeeeeeeeeeeeeeeeee5', sha256: sha256('x') }],
      });
      expect(both.json().errors[0].field).toBe('body.keys[0].plaintext');
      const hint = await api.post('/v1/keys/import', {
        apiId,
        keys: [{ plaintext: 'eeeeeeeeeeeeeeeeeeee5', hint: 'x' }],
      });
      expect(hint.json().errors[0].field).toBe('body.keys[0].hint');
    });

    it('imports 1000 keys in one call', async () => {
      const keys = Array.from({ length: 1000 }, (_, i) => ({
        plaintext: `legacy_key_${String(i).padStart(10, '0')}`,
      }));
      const res = await api.post('/v1/keys/import', { apiId, keys });
      expect(res.statusCode).toBe(201);
      expect(res.json().items).toHaveLength(1000);
      expect((await api.post('/v1/keys/verify', { key: keys[999]?.plaintext })).json().valid).toBe(true);
    });
  },
);
