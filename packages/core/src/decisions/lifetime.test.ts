import { describe, expect, it } from 'vitest';
import type { LifetimePolicy } from '../contracts/lifetime-policy.js';
import { DAY_MS, idleCutoffOf, lifetimeActions, maxExpiry, rotationOf } from './lifetime.js';

const T0 = 1_700_000_000_000;
const policy = (over: Partial<LifetimePolicy> = {}): LifetimePolicy => ({
  workspaceId: 'ws_1',
  apiId: 'api_1',
  maxTtlDays: null,
  rotateAfterDays: null,
  rotationGraceDays: 0,
  idleDisableAfterDays: null,
  remindBeforeDays: 0,
  mode: 'enforce',
  createdAt: T0,
  updatedAt: T0,
  ...over,
});
const key = (over: { createdAt?: number; rolledAt?: number; expiresAt?: number | null } = {}) => ({
  createdAt: T0,
  expiresAt: null,
  ...over,
});

describe('key lifetime decisions', () => {
  it('caps the expiry at now + maxTtlDays, and none without a maximum', () => {
    expect(maxExpiry(policy({ maxTtlDays: 90 }), T0)).toBe(T0 + 90 * DAY_MS);
    expect(maxExpiry(policy(), T0)).toBeNull();
    expect(maxExpiry(null, T0)).toBeNull();
  });

  it('counts rotation from the last roll, else from creation: fresh, due, then required (exactly at the deadline)', () => {
    const rules = policy({ rotateAfterDays: 30, rotationGraceDays: 7 });
    const dueAt = T0 + 30 * DAY_MS;
    const rotateBy = dueAt + 7 * DAY_MS;
    expect(rotationOf(key(), rules, dueAt - 1)).toEqual({ status: 'fresh' });
    expect(rotationOf(key(), rules, dueAt)).toEqual({ status: 'due', dueAt, rotateBy });
    expect(rotationOf(key(), rules, rotateBy - 1)).toEqual({ status: 'due', dueAt, rotateBy });
    expect(rotationOf(key(), rules, rotateBy)).toEqual({ status: 'required', dueAt, rotateBy });
    expect(rotationOf(key({ rolledAt: T0 + 20 * DAY_MS }), rules, rotateBy)).toEqual({ status: 'fresh' });
    expect(rotationOf(key(), policy(), rotateBy)).toEqual({ status: 'fresh' });
    expect(rotationOf(key(), null, rotateBy)).toEqual({ status: 'fresh' });
  });

  it('counts idleness from the last use, else from creation', () => {
    const rules = policy({ idleDisableAfterDays: 10 });
    expect(idleCutoffOf(key(), null, rules)).toBe(T0 + 10 * DAY_MS);
    expect(idleCutoffOf(key(), T0 + DAY_MS, rules)).toBe(T0 + 11 * DAY_MS);
    expect(idleCutoffOf(key(), null, policy())).toBeNull();
  });

  it('disables past the rotation deadline (before idle) or the idle cutoff, in enforce mode only', () => {
    const rules = policy({ rotateAfterDays: 30, idleDisableAfterDays: 10 });
    expect(lifetimeActions(key(), null, rules, T0 + 10 * DAY_MS - 1).disable).toBeNull();
    expect(lifetimeActions(key(), null, rules, T0 + 10 * DAY_MS).disable).toBe('idle');
    expect(lifetimeActions(key(), T0 + 25 * DAY_MS, rules, T0 + 30 * DAY_MS).disable).toBe(
      'rotation_required',
    );
    expect(lifetimeActions(key(), null, { ...rules, mode: 'dry-run' }, T0 + 40 * DAY_MS)).toEqual({
      disable: null,
      notices: [],
    });
  });

  it('opens each reminder remindBeforeDays ahead of its deadline (rotation: from dueAt too) until the deadline', () => {
    const rules = policy({
      rotateAfterDays: 30,
      rotationGraceDays: 14,
      idleDisableAfterDays: 60,
      remindBeforeDays: 3,
    });
    const expiring = key({ expiresAt: T0 + 20 * DAY_MS });
    expect(lifetimeActions(expiring, null, rules, T0 + 17 * DAY_MS - 1).notices).toEqual([]);
    expect(lifetimeActions(expiring, null, rules, T0 + 17 * DAY_MS).notices).toEqual([
      { kind: 'key.expiring', deadline: T0 + 20 * DAY_MS },
    ]);
    // Rotation is due at day 30, refused from day 44: reminded from day 30 on (earlier than 44 - 3).
    expect(lifetimeActions(key(), T0 + 29 * DAY_MS, rules, T0 + 30 * DAY_MS).notices).toEqual([
      { kind: 'key.rotation_due', deadline: T0 + 44 * DAY_MS },
    ]);
    expect(lifetimeActions(key(), T0 + 29 * DAY_MS, rules, T0 + 30 * DAY_MS - 1).notices).toEqual([]);
    const idle = lifetimeActions(key({ rolledAt: T0 + 50 * DAY_MS }), null, rules, T0 + 57 * DAY_MS);
    expect(idle).toEqual({ disable: null, notices: [{ kind: 'key.idle', deadline: T0 + 60 * DAY_MS }] });
    const dryRun = { ...rules, mode: 'dry-run' as const };
    expect(lifetimeActions(expiring, null, dryRun, T0 + 17 * DAY_MS).notices).toEqual([]);
    expect(
      lifetimeActions(expiring, null, { ...rules, remindBeforeDays: 0 }, T0 + 19 * DAY_MS).notices,
    ).toEqual([]);
  });
});
