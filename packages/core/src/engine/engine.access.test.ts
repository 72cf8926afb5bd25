import { afterEach, describe, expect, it } from 'vitest';
import type { UsageEvent } from '../contracts/usage-sink.js';
import { newId } from '../keys/ids.js';
import { createHarness, type Harness, T0 } from './engine.fixtures.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe('verifyKey: allowed IPs', () => {
  it('admits addresses inside the allow-list only', async () => {
    h = await createHarness();
    const { key, record } = await h.issue({ allowedIps: ['203.0.113.0/24', '2001:db8::/32'] });
    await expect(h.engine.verifyKey(key, { ip: '203.0.113.9' })).resolves.toMatchObject({ code: 'VALID' });
    await expect(h.engine.verifyKey(key, { ip: '2001:db8::1' })).resolves.toMatchObject({ code: 'VALID' });
    for (const ip of ['198.51.100.1', '2001:db9::1', 'not-an-ip']) {
      await expect(h.engine.verifyKey(key, { ip })).resolves.toMatchObject({
        valid: false,
        code: 'FORBIDDEN_IP',
        identity: { keyId: record.id },
      });
    }
    // No address given: an allow-list cannot be satisfied.
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'FORBIDDEN_IP' });
  });

  it('admits any address without an allow-list', async () => {
    h = await createHarness();
    const { key } = await h.issue();
    await expect(h.engine.verifyKey(key, { ip: '198.51.100.1' })).resolves.toMatchObject({ code: 'VALID' });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'VALID' });
  });

  it('checks the state before the address', async () => {
    h = await createHarness();
    const { key } = await h.issue({ allowedIps: ['10.0.0.0/8'], enabled: false });
    await expect(h.engine.verifyKey(key, { ip: '192.0.2.1' })).resolves.toMatchObject({ code: 'DISABLED' });
  });
});

describe('verifyKey: permissions', () => {
  it('evaluates the query against the key and role permissions', async () => {
    h = await createHarness();
    await h.store.roles.create({
      id: newId('role'),
      workspaceId: h.ws.id,
      name: 'charger_admin',
      description: null,
      permissions: ['chargers:*'],
      createdAt: T0,
      updatedAt: T0,
    });
    const { key } = await h.issue({ permissions: ['sessions:read'], roles: ['charger_admin'] });
    for (const permissions of [
      'sessions:read',
      'sessions:read AND chargers:write',
      'admin OR (chargers:x AND sessions:read)',
    ]) {
      await expect(h.engine.verifyKey(key, { permissions })).resolves.toMatchObject({ code: 'VALID' });
    }
    for (const permissions of ['sessions:write', 'sessions:read AND admin', 'chargers']) {
      await expect(h.engine.verifyKey(key, { permissions })).resolves.toMatchObject({
        valid: false,
        code: 'INSUFFICIENT_PERMISSIONS',
      });
    }
  });

  it('checks the address before the permissions', async () => {
    h = await createHarness();
    const { key } = await h.issue({ allowedIps: ['10.0.0.0/8'] });
    await expect(h.engine.verifyKey(key, { ip: '192.0.2.1', permissions: 'nothing' })).resolves.toMatchObject(
      {
        code: 'FORBIDDEN_IP',
      },
    );
  });
});

describe('verifyKey: usage', () => {
  it('hands one event per verification to the sink, never the key', async () => {
    const events: UsageEvent[] = [];
    h = await createHarness({ usage: { record: (event) => events.push(event) } });
    const consumer = await h.consumer();
    const { key, record } = await h.issue({ consumerId: consumer.id });
    await h.engine.verifyKey(key, { ip: '192.0.2.1', tags: ['GET /sessions'] });
    await h.engine.verifyKey(key, { permissions: 'admin' });
    await h.engine.verifyKey('garbage');
    expect(events).toEqual([
      {
        time: T0,
        workspaceId: h.ws.id,
        apiId: h.api.id,
        keyId: record.id,
        consumerId: consumer.id,
        code: 'VALID',
        cost: 0,
        ip: '192.0.2.1',
        tags: ['GET /sessions'],
      },
      expect.objectContaining({ keyId: record.id, code: 'INSUFFICIENT_PERMISSIONS', ip: null, tags: [] }),
      expect.objectContaining({ keyId: null, workspaceId: null, code: 'NOT_FOUND' }),
    ]);
    expect(JSON.stringify(events)).not.toContain(key);
    expect(JSON.stringify(events)).not.toContain(record.digest);
  });

  it('survives a sink that throws', async () => {
    h = await createHarness({
      usage: {
        record: () => {
          throw new Error('sink down');
        },
      },
    });
    const { key } = await h.issue();
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'VALID' });
  });
});
