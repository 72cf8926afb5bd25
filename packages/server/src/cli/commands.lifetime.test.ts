import type { ApiView, LifetimePolicyView } from '@keyward/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliTestServer, startCliTestServer } from './test-cli-server.js';

let t: CliTestServer;
beforeAll(async () => {
  t = await startCliTestServer();
});
afterAll(async () => {
  await t?.close();
});

describe('keyward apis lifetime', () => {
  it('replaces, shows and removes the policy, and refuses a bad flag before any request', async () => {
    const api = await t.json<ApiView>(['apis', 'create', '--name', 'Lifetime', '--prefix', 'life']);
    const set = await t.json<LifetimePolicyView>([
      'apis',
      'lifetime',
      api.id,
      '--max-ttl-days',
      '90',
      '--rotate-after-days',
      '30',
      '--rotation-grace-days',
      '7',
      '--idle-disable-after-days',
      'none',
      '--remind-before-days',
      '3',
      '--mode',
      'dry-run',
    ]);
    expect(set).toMatchObject({
      apiId: api.id,
      maxTtlDays: 90,
      rotateAfterDays: 30,
      rotationGraceDays: 7,
      idleDisableAfterDays: null,
      remindBeforeDays: 3,
      mode: 'dry-run',
    });
    const shown = await t.keyward(['apis', 'lifetime', api.id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^max ttl:\s+90 days$/m);
    expect(shown.stdout).toMatch(/^mode:\s+dry-run$/m);
    await t.fails(
      ['apis', 'lifetime', api.id, '--mode', 'shadow'],
      '--mode must be enforce or dry-run (got "shadow")',
    );
    await t.fails(
      ['apis', 'lifetime', api.id, '--max-ttl-days', '0'],
      /--max-ttl-days must be an integer of at least 1/,
    );
    await expect(t.json(['apis', 'lifetime', api.id, '--delete'])).resolves.toEqual({
      apiId: api.id,
      deleted: true,
    });
    await t.fails(['apis', 'lifetime', api.id], /\(HTTP 404\)$/);
  });
});
