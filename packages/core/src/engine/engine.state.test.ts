import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../keys/ids.js';
import { generateKey } from '../keys/key-format.js';
import { createHarness, type Harness, T0 } from './engine.fixtures.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe('verifyKey: key state', () => {
  it('answers VALID with the identity of a key, its roles resolved', async () => {
    h = await createHarness();
    await h.store.roles.create({
      id: newId('role'),
      workspaceId: h.ws.id,
      name: 'operator',
      description: null,
      permissions: ['chargers:*', 'sessions:read'],
      createdAt: T0,
      updatedAt: T0,
    });
    const consumer = await h.consumer({ externalId: 'cust_42', name: 'Ionity', meta: { plan: 'pro' } });
    const { key, record } = await h.issue({
      consumerId: consumer.id,
      roles: ['operator', 'unknown_role'],
      expiresAt: T0 + 60_000,
      environment: 'test',
    });
    await expect(h.engine.verifyKey(key)).resolves.toEqual({
      valid: true,
      code: 'VALID',
      identity: {
        keyId: record.id,
        workspaceId: h.ws.id,
        apiId: h.api.id,
        consumer: { id: consumer.id, externalId: 'cust_42', name: 'Ionity', meta: { plan: 'pro' } },
        name: 'backend',
        meta: { team: 'ops' },
        permissions: ['sessions:read', 'chargers:*'],
        roles: ['operator', 'unknown_role'],
        expiresAt: T0 + 60_000,
        environment: 'test',
        parentKeyId: null,
      },
      ratelimits: [],
      credits: null,
      retryAfterMs: null,
    });
    await expect(h.engine.verifyKey(key, { apiId: h.api.id })).resolves.toMatchObject({ code: 'VALID' });
  });

  it('answers NOT_FOUND for a well-formed key nobody issued', async () => {
    h = await createHarness();
    await expect(h.engine.verifyKey(generateKey('amp_live'))).resolves.toEqual({
      valid: false,
      code: 'NOT_FOUND',
      identity: null,
      ratelimits: [],
      credits: null,
      retryAfterMs: null,
    });
  });

  it('answers a key of another API exactly like an unknown key', async () => {
    h = await createHarness();
    const { key } = await h.issue();
    const foreign = await h.engine.verifyKey(key, { apiId: h.otherApi.id });
    const unknown = await h.engine.verifyKey(generateKey('amp_live'), { apiId: h.otherApi.id });
    expect(foreign).toEqual(unknown);
    expect(foreign.code).toBe('NOT_FOUND');
    await expect(h.engine.verifyKey(key, { apiId: 'api_of_another_workspace' })).resolves.toEqual(unknown);
  });

  it('answers DISABLED for a disabled key, with its identity for usage records', async () => {
    h = await createHarness();
    const { key, record } = await h.issue({ enabled: false, disabledReason: 'leaked' });
    const result = await h.engine.verifyKey(key);
    expect(result).toMatchObject({ valid: false, code: 'DISABLED', identity: { keyId: record.id } });
  });

  it('answers EXPIRED from the expiry instant on', async () => {
    h = await createHarness();
    const { key } = await h.issue({ expiresAt: T0 + 1_000 });
    h.clock.now = T0 + 999;
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'VALID' });
    h.clock.now = T0 + 1_000;
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ valid: false, code: 'EXPIRED' });
  });

  it('answers REVOKED once revoked, whatever else holds', async () => {
    h = await createHarness();
    const { key, record } = await h.issue({ enabled: false, expiresAt: T0 - 1 });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'DISABLED' });
    await h.store.keys.revoke(h.ws.id, record.id, T0);
    await h.engine.invalidate({ type: 'key', keyId: record.id, digests: [] });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ valid: false, code: 'REVOKED' });
  });

  it('checks revoked, then disabled, then expired', async () => {
    h = await createHarness();
    const expiredAndDisabled = await h.issue({ enabled: false, expiresAt: T0 });
    await expect(h.engine.verifyKey(expiredAndDisabled.key)).resolves.toMatchObject({ code: 'DISABLED' });
    const expired = await h.issue({ expiresAt: T0 });
    await expect(h.engine.verifyKey(expired.key)).resolves.toMatchObject({ code: 'EXPIRED' });
  });

  it('keeps a rolled-away key valid until its grace ends, then answers REVOKED', async () => {
    h = await createHarness();
    const { key: oldKey, record } = await h.issue();
    await expect(h.engine.verifyKey(oldKey)).resolves.toMatchObject({ code: 'VALID' });
    const newKey = generateKey('amp_live');
    const rolled = await h.store.keys.roll(
      h.ws.id,
      record.id,
      { digest: h.engine.digest(newKey), hint: 'h', graceUntil: T0 + 5_000 },
      T0,
    );
    await h.engine.invalidate({ type: 'key', keyId: record.id, digests: [rolled?.oldDigest ?? ''] });
    await expect(h.engine.verifyKey(newKey)).resolves.toMatchObject({
      code: 'VALID',
      identity: { keyId: record.id },
    });
    h.clock.now = T0 + 4_999;
    await expect(h.engine.verifyKey(oldKey)).resolves.toMatchObject({
      code: 'VALID',
      identity: { keyId: record.id },
    });
    h.clock.now = T0 + 5_000;
    await expect(h.engine.verifyKey(oldKey)).resolves.toMatchObject({ valid: false, code: 'REVOKED' });
    await expect(h.engine.verifyKey(newKey)).resolves.toMatchObject({ code: 'VALID' });
  });

  it('answers NOT_FOUND for a deleted key', async () => {
    h = await createHarness();
    const { key, record } = await h.issue();
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'VALID' });
    const digests = await h.store.keys.delete(h.ws.id, record.id);
    await h.engine.invalidate({ type: 'key', keyId: record.id, digests: digests ?? [] });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses to work once closed', async () => {
    h = await createHarness();
    const { key } = await h.issue();
    await h.engine.close();
    await expect(h.engine.verifyKey(key)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await h.engine.close();
  });
});
