import type { LifetimeNoticeKind, LifetimePolicy } from '../contracts/lifetime-policy.js';
import type { KeyRecord } from '../contracts/model.js';

/**
 * Key lifetime decisions (see `contracts/lifetime-policy.ts`), pure functions of a key, its
 * API's policy and the time:
 * - max TTL: a key created or updated under the policy expires by `now + maxTtlDays`
 *   (`maxExpiry`); without an `expiresAt` it gets exactly that;
 * - rotation: a secret issued at `rolledAt ?? createdAt` is due for rotation after
 *   `rotateAfterDays` (VALID with a warning until the deadline) and refused from
 *   `due + rotationGraceDays` (`rotationOf`): exact at verification, no job needed;
 * - idle: a key last verified (never: created) `idleDisableAfterDays` ago is disabled by the
 *   lifetime job (`idleCutoffOf`);
 * - reminders: `remindBeforeDays` ahead of each deadline, once per key, kind and deadline
 *   (`noticesDue`).
 * In `dry-run` mode nothing is refused, warned or disabled; verifications report what
 * would have been refused (`ROTATION_REQUIRED`) and no reminder is sent.
 */

export const DAY_MS = 86_400_000;

/** The code a dry-run policy reports in `wouldDeny` for a secret past its rotation deadline. */
export const ROTATION_REQUIRED = 'ROTATION_REQUIRED';

/** `disabledReason` of keys the lifetime job disables. */
export const LIFETIME_DISABLED_REASONS = { rotation: 'rotation_required', idle: 'idle' } as const;

/** When the key's current secret was issued. */
export const secretIssuedAt = (key: Pick<KeyRecord, 'createdAt' | 'rolledAt'>): number =>
  key.rolledAt ?? key.createdAt;

/** The latest `expiresAt` a key created or updated at `now` may have; null: no maximum. */
export const maxExpiry = (policy: LifetimePolicy | null, now: number): number | null =>
  policy === null || policy.maxTtlDays === null ? null : now + policy.maxTtlDays * DAY_MS;

/** Where a secret stands against the rotation policy at `now`. */
export type RotationState =
  | { status: 'fresh' }
  /** Past `dueAt`: still valid until `rotateBy`. */
  | { status: 'due'; dueAt: number; rotateBy: number }
  /** Past `rotateBy`: refused. */
  | { status: 'required'; dueAt: number; rotateBy: number };

/** The rotation state of the key's current secret; `fresh` when the policy asks for no rotation. */
export function rotationOf(
  key: Pick<KeyRecord, 'createdAt' | 'rolledAt'>,
  policy: LifetimePolicy | null,
  now: number,
): RotationState {
  if (policy === null || policy.rotateAfterDays === null) return { status: 'fresh' };
  const dueAt = secretIssuedAt(key) + policy.rotateAfterDays * DAY_MS;
  const rotateBy = dueAt + policy.rotationGraceDays * DAY_MS;
  if (now < dueAt) return { status: 'fresh' };
  return { status: now < rotateBy ? 'due' : 'required', dueAt, rotateBy };
}

/** When the key counts as idle (last verified, else created, plus the idle days); null: never. */
export function idleCutoffOf(
  key: Pick<KeyRecord, 'createdAt'>,
  lastUsedAt: number | null,
  policy: LifetimePolicy | null,
): number | null {
  if (policy === null || policy.idleDisableAfterDays === null) return null;
  return (lastUsedAt ?? key.createdAt) + policy.idleDisableAfterDays * DAY_MS;
}

/** One reminder to send: its kind and the deadline it announces. */
export interface LifetimeNotice {
  kind: LifetimeNoticeKind;
  deadline: number;
}

/** What the lifetime job does about one key at `now`. */
export interface LifetimeActions {
  /** Disable the key with this reason (enforce mode only); null: leave it. */
  disable: (typeof LIFETIME_DISABLED_REASONS)[keyof typeof LIFETIME_DISABLED_REASONS] | null;
  /** Reminders whose window is open (the job sends each once). */
  notices: LifetimeNotice[];
}

/**
 * The job's decision for one live key (enabled, not revoked, not expired: the caller skips
 * the others). Rotation wins over idle when both are past. A reminder is due from
 * `remindBeforeDays` before its deadline until the deadline; the rotation reminder (whose
 * deadline is `rotateBy`) opens at `dueAt` already when that is earlier, as the warnings
 * start then. Dry-run policies and `remindBeforeDays: 0` send none.
 */
export function lifetimeActions(
  key: Pick<KeyRecord, 'createdAt' | 'rolledAt' | 'expiresAt'>,
  lastUsedAt: number | null,
  policy: LifetimePolicy,
  now: number,
): LifetimeActions {
  const enforce = policy.mode === 'enforce';
  const rotation = rotationOf(key, policy, now);
  const idleAt = idleCutoffOf(key, lastUsedAt, policy);
  let disable: LifetimeActions['disable'] = null;
  if (enforce && rotation.status === 'required') disable = LIFETIME_DISABLED_REASONS.rotation;
  else if (enforce && idleAt !== null && idleAt <= now) disable = LIFETIME_DISABLED_REASONS.idle;

  const notices: LifetimeNotice[] = [];
  const ahead = policy.remindBeforeDays * DAY_MS;
  if (!enforce || disable !== null) return { disable, notices };
  const open = (deadline: number, from = deadline - ahead) => ahead > 0 && from <= now && now < deadline;
  if (key.expiresAt !== null && open(key.expiresAt)) {
    notices.push({ kind: 'key.expiring', deadline: key.expiresAt });
  }
  if (policy.rotateAfterDays !== null) {
    const dueAt = secretIssuedAt(key) + policy.rotateAfterDays * DAY_MS;
    const rotateBy = dueAt + policy.rotationGraceDays * DAY_MS;
    if (open(rotateBy, Math.min(dueAt, rotateBy - ahead))) {
      notices.push({ kind: 'key.rotation_due', deadline: rotateBy });
    }
  }
  if (idleAt !== null && open(idleAt)) notices.push({ kind: 'key.idle', deadline: idleAt });
  return { disable, notices };
}
