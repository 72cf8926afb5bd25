import type { ClientHints } from '@keyward/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientExposure } from '../contracts/engine.js';
import { createHarness, type Harness, T0 } from './engine.fixtures.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const APP = 'https://app.example.com';
const browser = (origin = APP): ClientHints => ({ origin, secFetchSite: 'cross-site', secFetchMode: 'cors' });

async function publishableHarness() {
  h = await createHarness();
  await h.store.publishablePolicies.put({
    workspaceId: h.ws.id,
    apiId: h.api.id,
    publicPermissions: ['stations:read'],
    allowedOrigins: [APP],
    updatedAt: T0,
  });
  return h.issue({ kind: 'publishable', permissions: ['stations:*', 'sessions:write'] });
}

describe('verifyKey: publishable keys', () => {
  it('admits an allowed origin for a public permission, with its public permissions only', async () => {
    const { key } = await publishableHarness();
    const result = await h.engine.verifyKey(key, { permissions: 'stations:read', client: browser() });
    expect(result).toMatchObject({ valid: true, code: 'VALID' });
    expect(result.identity?.permissions).toEqual(['stations:read']);
  });

  it('refuses another origin, and a request without one (FORBIDDEN_ORIGIN)', async () => {
    const { key, record } = await publishableHarness();
    for (const client of [browser('https://evil.example'), { userAgent: 'curl/8' }, undefined]) {
      await expect(
        h.engine.verifyKey(key, { permissions: 'stations:read', ...(client ? { client } : {}) }),
      ).resolves.toMatchObject({ valid: false, code: 'FORBIDDEN_ORIGIN', identity: { keyId: record.id } });
    }
  });

  it('refuses a permission that is not public, and a verification that names none', async () => {
    const { key } = await publishableHarness();
    await expect(
      h.engine.verifyKey(key, { permissions: 'sessions:write', client: browser() }),
    ).resolves.toMatchObject({ code: 'INSUFFICIENT_PERMISSIONS' });
    await expect(h.engine.verifyKey(key, { client: browser() })).resolves.toMatchObject({
      code: 'INSUFFICIENT_PERMISSIONS',
    });
  });

  it('refuses a verification that would spend credits (its consumer’s), and spends none', async () => {
    h = await createHarness();
    await h.store.publishablePolicies.put({
      workspaceId: h.ws.id,
      apiId: h.api.id,
      publicPermissions: ['stations:read'],
      allowedOrigins: [APP],
      updatedAt: T0,
    });
    const consumer = await h.consumer({ credits: { refill: null } });
    await h.store.credits.set({ kind: 'consumer', id: consumer.id }, 10, { refill: null }, T0);
    const { key } = await h.issue({
      kind: 'publishable',
      consumerId: consumer.id,
      permissions: ['stations:read'],
    });
    await expect(
      h.engine.verifyKey(key, { permissions: 'stations:read', client: browser() }),
    ).resolves.toMatchObject({ code: 'INSUFFICIENT_PERMISSIONS' });
    await expect(h.store.credits.get({ kind: 'consumer', id: consumer.id }, T0)).resolves.toBe(10);
    // Free calls (cost 0) spend nothing and pass.
    await expect(
      h.engine.verifyKey(key, { permissions: 'stations:read', client: browser(), credits: { cost: 0 } }),
    ).resolves.toMatchObject({ code: 'VALID' });
  });

  it('refuses everything while its API has no policy', async () => {
    h = await createHarness();
    const { key } = await h.issue({ kind: 'publishable', permissions: ['stations:read'] });
    await expect(
      h.engine.verifyKey(key, { permissions: 'stations:read', client: browser() }),
    ).resolves.toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
  });
});

describe('verifyKey: secret keys seen in a browser', () => {
  const harness = async () => {
    const seen: ClientExposure[] = [];
    h = await createHarness({ onClientExposure: (sighting) => seen.push(sighting) });
    return { seen, ...(await h.issue()) };
  };

  it('tells onClientExposure, with the hint and the hints, never the key; the verification is unchanged', async () => {
    const { seen, key, record } = await harness();
    await expect(h.engine.verifyKey(key, { client: browser() })).resolves.toMatchObject({ code: 'VALID' });
    expect(seen).toEqual([
      {
        time: T0,
        workspaceId: h.ws.id,
        apiId: h.api.id,
        keyId: record.id,
        hint: record.hint,
        client: browser(),
      },
    ]);
    expect(JSON.stringify(seen)).not.toContain(key);
  });

  it('stays silent for server-side clients (Node fetch, curl, none) and for unknown or disabled keys', async () => {
    const { seen, key } = await harness();
    await h.engine.verifyKey(key, { client: { userAgent: 'node', secFetchMode: 'cors' } });
    await h.engine.verifyKey(key, { client: { userAgent: 'curl/8.5.0' } });
    await h.engine.verifyKey(key);
    const disabled = await h.issue({ enabled: false });
    await h.engine.verifyKey(disabled.key, { client: browser() });
    expect(seen).toEqual([]);
  });

  it('never fails a verification when the listener throws', async () => {
    h = await createHarness({
      onClientExposure: () => {
        throw new Error('listener down');
      },
    });
    const { key } = await h.issue();
    await expect(h.engine.verifyKey(key, { client: browser() })).resolves.toMatchObject({ code: 'VALID' });
  });
});
