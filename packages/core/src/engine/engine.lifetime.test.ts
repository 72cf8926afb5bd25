import { afterEach, describe, expect, it } from 'vitest';
import type { LifetimePolicy } from '../contracts/lifetime-policy.js';
import type { UsageEvent } from '../contracts/usage-sink.js';
import { DAY_MS } from '../decisions/lifetime.js';
import { createHarness, type Harness, T0 } from './engine.fixtures.js';

let h: Harness;
let events: UsageEvent[];
afterEach(async () => {
  await h.close();
});

async function withPolicy(over: Partial<LifetimePolicy>): Promise<void> {
  events = [];
  h = await createHarness({ usage: { record: (event) => events.push(event) } });
  await h.store.lifetimePolicies.put({
    workspaceId: h.ws.id,
    apiId: h.api.id,
    maxTtlDays: null,
    rotateAfterDays: 30,
    rotationGraceDays: 7,
    idleDisableAfterDays: null,
    remindBeforeDays: 0,
    mode: 'enforce',
    createdAt: T0,
    updatedAt: T0,
    ...over,
  });
}

const dueAt = T0 + 30 * DAY_MS;
const rotateBy = dueAt + 7 * DAY_MS;

describe('verifyKey: the lifetime policy of the key API (fake time)', () => {
  it('answers VALID without warnings while the secret is fresh', async () => {
    await withPolicy({});
    const { key } = await h.issue();
    h.clock.now = dueAt - 1;
    const result = await h.engine.verifyKey(key);
    expect(result.code).toBe('VALID');
    expect(result).not.toHaveProperty('warnings');
  });

  it('warns ROTATION_DUE from rotateAfterDays, and refuses (DISABLED) exactly from the end of the grace', async () => {
    await withPolicy({});
    const { key } = await h.issue();
    h.clock.now = dueAt;
    const due = await h.engine.verifyKey(key);
    expect(due).toMatchObject({
      valid: true,
      code: 'VALID',
      warnings: [
        { code: 'ROTATION_DUE', dueAt, rotateBy, message: expect.stringContaining('roll it before') },
      ],
    });
    h.clock.now = rotateBy - 1;
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ valid: true, warnings: [{ rotateBy }] });
    // Same cache entry: the deadline is checked at every verification, no job needed.
    h.clock.now = rotateBy;
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ valid: false, code: 'DISABLED' });
    expect(events.map((event) => event.code)).toEqual(['VALID', 'VALID', 'DISABLED']);
    expect(events.every((event) => event.wouldDeny === undefined)).toBe(true);
  });

  it('counts from the last roll', async () => {
    await withPolicy({});
    const { key } = await h.issue({ rolledAt: T0 + 10 * DAY_MS });
    h.clock.now = dueAt + 10 * DAY_MS - 1;
    await expect(h.engine.verifyKey(key)).resolves.not.toHaveProperty('warnings');
    h.clock.now = dueAt + 10 * DAY_MS;
    const result = await h.engine.verifyKey(key);
    expect(result).toMatchObject({ valid: true, warnings: [{ rotateBy: rotateBy + 10 * DAY_MS }] });
  });

  it('in dry-run never denies nor warns, and records a would-be DISABLED (rule ROTATION_REQUIRED) past the deadline', async () => {
    await withPolicy({ mode: 'dry-run' });
    const { key } = await h.issue();
    h.clock.now = dueAt;
    const due = await h.engine.verifyKey(key);
    expect(due.code).toBe('VALID');
    expect(due).not.toHaveProperty('warnings');
    h.clock.now = rotateBy;
    const past = await h.engine.verifyKey(key);
    expect(past.code).toBe('VALID');
    expect(past).not.toHaveProperty('warnings');
    expect(past).toMatchObject({ wouldDeny: [{ code: 'DISABLED', rule: 'ROTATION_REQUIRED' }] });
    expect(events.map((event) => [event.code, event.wouldDeny])).toEqual([
      ['VALID', undefined],
      ['VALID', ['DISABLED']],
    ]);
  });

  it('applies a changed policy after the invalidation its change sends', async () => {
    await withPolicy({ mode: 'dry-run' });
    const { key } = await h.issue();
    h.clock.now = rotateBy;
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ valid: true });
    const policy = await h.store.lifetimePolicies.get(h.ws.id, h.api.id);
    if (policy === null) throw new Error('the policy is missing');
    await h.store.lifetimePolicies.put({ ...policy, mode: 'enforce' });
    await h.engine.invalidate({ type: 'workspace', workspaceId: h.ws.id });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ valid: false, code: 'DISABLED' });
  });
});
