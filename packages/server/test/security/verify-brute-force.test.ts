import { generateKey } from '@keyward/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../src/testing/test-app.js';
import { clientFor, type TestClient } from '../../src/testing/test-client.js';

/**
 * Issue 10, defect 6: 2,000 random keys through `POST /v1/keys/verify` raised no alert when
 * the backend left out `ip`. Unknown keys presented through the verify API count against
 * the calling workspace, with or without an address.
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

const guess = async (n: number, ip?: string) => {
  for (let i = 0; i < n; i++) {
    const body = { key: generateKey('amp_live'), ...(ip === undefined ? {} : { ip }) };
    expect((await api.post('/v1/keys/verify', body)).json().code).toBe('NOT_FOUND');
  }
};

describe('brute force through the verify API', () => {
  it('raises a brute_force alert in the calling workspace when no address is given', async () => {
    await guess(150);
    await t.usage.flush();
    t.clock.advance(1000);
    const run = await t.monitor.runTraffic();
    const alert = run.raised.find((a) => a.detector === 'brute_force');
    expect(alert).toMatchObject({ workspaceId: t.a.id, detector: 'brute_force', severity: 'warning' });
    expect(alert?.evidence).toMatchObject({ attempts: 150, ip: null });
    // Listed in A, not in B.
    expect((await api.get('/v1/alerts?detector=brute_force')).json().items).toHaveLength(1);
    const asB = clientFor(t.app, t.b.rootKey);
    expect((await asB.get('/v1/alerts?detector=brute_force')).json().items).toHaveLength(0);
  });

  it('still names the address when one is given, one alert per address', async () => {
    await guess(120, '198.51.100.9');
    await guess(10);
    await t.usage.flush();
    t.clock.advance(1000);
    const run = await t.monitor.runTraffic();
    const found = run.raised.filter((a) => a.detector === 'brute_force');
    expect(found.map((a) => a.evidence.ip)).toEqual(['198.51.100.9']);
  });
});
