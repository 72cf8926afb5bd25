import { type KeyRollRef, KeywardError } from '@keyward/core';
import type { CredentialUsage } from '@keyward/core/usage';
import {
  type CredentialUsageView,
  type ExtendGraceBody,
  type KeyRotationView,
  LIMITS,
} from '@keyward/protocol';
import { recordAudit } from './audit.js';
import type { Actor, ServiceDeps } from './context.js';
import { invalidateKey, requireKey } from './keys.js';
import { write } from './transaction.js';

/** Reads rotation telemetry (`UsageEventStore.credentialUsage`); null: the server records no usage. */
export type CredentialReader = {
  credentialUsage(workspaceId: string, keyId: string, rolledAt: number): Promise<CredentialUsage[]>;
} | null;

const credentialView = (usage: CredentialUsage | undefined): CredentialUsageView | null =>
  usage === undefined
    ? null
    : {
        requests: usage.requests,
        valid: usage.valid,
        firstSeen: usage.firstSeen,
        lastSeen: usage.lastSeen,
        ips: usage.ips,
        userAgents: usage.userAgents,
      };

/** The roll part of the view (also what audit events record before and after a change). */
function rollState(keyId: string, rolls: readonly KeyRollRef[], now: number) {
  const [latest, ...older] = rolls;
  return {
    keyId,
    state:
      latest === undefined
        ? ('none' as const)
        : latest.graceUntil > now
          ? ('grace' as const)
          : ('ended' as const),
    rolledAt: latest === undefined || latest.rolledAt === 0 ? null : latest.rolledAt,
    graceUntil: latest?.graceUntil ?? null,
    olderInGrace: older.filter((roll) => roll.graceUntil > now).length,
  };
}

async function rotationView(
  reader: CredentialReader,
  workspaceId: string,
  keyId: string,
  rolls: readonly KeyRollRef[],
  now: number,
): Promise<KeyRotationView> {
  const latest = rolls[0];
  const usage =
    latest === undefined || reader === null
      ? []
      : await reader.credentialUsage(workspaceId, keyId, latest.rolledAt);
  return {
    ...rollState(keyId, rolls, now),
    previous: credentialView(usage.find((u) => u.credential === 'previous')),
    current: credentialView(usage.find((u) => u.credential === 'current')),
  };
}

const notFound = () => new KeywardError('NOT_FOUND', 'key not found');

/** The key's latest roll, its grace and who used each secret since (see docs/key-lifecycle.md). */
export async function getKeyRotation(
  deps: ServiceDeps,
  reader: CredentialReader,
  actor: Actor,
  id: string,
): Promise<KeyRotationView> {
  await requireKey(deps, actor, id, 'keys:read');
  const rolls = await deps.store.keys.rolls(actor.workspaceId, id);
  if (rolls === null) throw notFound();
  return rotationView(reader, actor.workspaceId, id, rolls, deps.now());
}

/** `CONFLICT` unless the latest roll's old secret still verifies at `now`. */
function runningGrace(rolls: readonly KeyRollRef[] | null, now: number): KeyRollRef {
  if (rolls === null) throw notFound();
  const latest = rolls[0];
  if (latest === undefined || latest.graceUntil <= now) {
    throw new KeywardError('CONFLICT', 'no grace period is running for this key');
  }
  return latest;
}

/** The new deadline an extend body asks for, validated against the running grace. */
function newDeadline(
  body: ExtendGraceBody,
  latest: KeyRollRef,
  now: number,
): { graceUntil: number; field: string } {
  const given = (body.graceUntil === undefined ? 0 : 1) + (body.extendBySeconds === undefined ? 0 : 1);
  if (given !== 1) {
    throw new KeywardError('VALIDATION', 'body needs exactly one of graceUntil and extendBySeconds', {
      field: 'body',
    });
  }
  const [graceUntil, field] =
    body.graceUntil === undefined
      ? [latest.graceUntil + (body.extendBySeconds ?? 0) * 1000, 'body.extendBySeconds']
      : [body.graceUntil, 'body.graceUntil'];
  if (graceUntil <= latest.graceUntil) {
    throw new KeywardError(
      'VALIDATION',
      `${field} must move the deadline later (end a grace with /rotation/end)`,
      {
        field,
      },
    );
  }
  if (graceUntil > now + LIMITS.maxGracePeriodMs) {
    throw new KeywardError('VALIDATION', `${field} must end at most 30 days from now`, { field });
  }
  return { graceUntil, field };
}

/**
 * Moves the end of the running grace period of the key's latest roll later. Audited as
 * `key.grace_extend`; every node's cache drops the key's secrets.
 */
export async function extendKeyGrace(
  root: ServiceDeps,
  reader: CredentialReader,
  actor: Actor,
  id: string,
  body: ExtendGraceBody,
): Promise<KeyRotationView> {
  const rolls = await write(root, async (deps) => {
    await requireKey(deps, actor, id, 'keys:write');
    const now = deps.now();
    const before = await deps.store.keys.rolls(actor.workspaceId, id);
    const latest = runningGrace(before, now);
    const { graceUntil } = newDeadline(body, latest, now);
    const after = await deps.store.keys.setGrace(actor.workspaceId, id, { type: 'extend', graceUntil }, now);
    if (after === null || before === null) throw notFound();
    await invalidateKey(deps, id);
    await recordAudit(deps, actor, {
      action: 'key.grace_extend',
      targetType: 'key',
      targetId: id,
      before: rollState(id, before, now),
      after: rollState(id, after, now),
    });
    return after;
  });
  return rotationView(reader, actor.workspaceId, id, rolls, root.now());
}

/**
 * Ends every running grace period of the key now: its old secrets answer REVOKED at once on
 * every node. Audited as `key.grace_end`. `CONFLICT` when no grace is running.
 */
export async function endKeyGrace(
  root: ServiceDeps,
  reader: CredentialReader,
  actor: Actor,
  id: string,
): Promise<KeyRotationView> {
  const rolls = await write(root, async (deps) => {
    await requireKey(deps, actor, id, 'keys:write');
    const now = deps.now();
    const before = await deps.store.keys.rolls(actor.workspaceId, id);
    if (before === null) throw notFound();
    if (!before.some((roll) => roll.graceUntil > now)) {
      throw new KeywardError('CONFLICT', 'no grace period is running for this key');
    }
    const after = await deps.store.keys.setGrace(actor.workspaceId, id, { type: 'end' }, now);
    if (after === null) throw notFound();
    await invalidateKey(deps, id);
    await recordAudit(deps, actor, {
      action: 'key.grace_end',
      targetType: 'key',
      targetId: id,
      before: rollState(id, before, now),
      after: rollState(id, after, now),
    });
    return after;
  });
  return rotationView(reader, actor.workspaceId, id, rolls, root.now());
}
