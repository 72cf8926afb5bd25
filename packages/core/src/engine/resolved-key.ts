import type { VerifiedIdentity } from '@keyward/protocol';
import type { LimitCheck } from '../contracts/counter-store.js';
import type { LifetimePolicy } from '../contracts/lifetime-policy.js';
import type { Consumer, CreditsConfig, KeyRecord } from '../contracts/model.js';
import type { CreditOwner, KeyLookup, KeyRollRef, Store } from '../contracts/store.js';
import { compileOriginAllowList, publicIntersection } from '../decisions/client-origin.js';
import { compileAllowList } from '../decisions/ip-allow.js';
import { compilePermissions, type PermissionGrants } from '../decisions/permissions.js';
import { childBinding } from './child-keys.js';
import type { CacheableKey } from './key-cache.js';

/** One rate limit a key is subject to, with its counter id built once. */
export interface AppliedLimit {
  name: string;
  scope: 'key' | 'consumer';
  /** The check with cost 1 (the default when a verification names no limits). */
  check: LimitCheck;
}

/** A set of limits with the checks of each at cost 1, in the same order. */
export interface LimitSet {
  limits: readonly AppliedLimit[];
  /** The checks of `limits`, in the same order (passed as is when no limits are named). */
  defaultChecks: readonly LimitCheck[];
}

/** One balance a verification spends from, with the config that tells its next refill. */
export interface CreditCharge {
  owner: CreditOwner;
  config: CreditsConfig | null;
}

/**
 * Everything verification needs about a key, resolved once per cache entry so that a
 * cache hit does no store work and no per-call string or array building: the record,
 * the grace deadline of the digest it was found by, the consumer, the permissions of its
 * roles merged in (and compiled for checks), the compiled IP allow-list, the counter ids
 * of its limits and the credit owners it spends from.
 */
export interface ResolvedKey extends CacheableKey {
  /** Other keys with the same digest, in other workspaces (rare: a shared imported secret); oldest first. */
  readonly others?: readonly ResolvedKey[];
  key: KeyRecord;
  /** Non-null when the digest is a rolled-away one, valid until then. */
  graceUntil: number | null;
  /** The roll this secret belongs to (rotation telemetry); null: the key was never rolled. */
  roll: KeyRollRef | null;
  consumer: Consumer | null;
  /** The public identity handed to callers (shared by every result of this entry). */
  identity: VerifiedIdentity;
  /** null: any address. */
  allowIp: ((ip: string) => boolean) | null;
  /** True when the allow-list is in dry-run: an address outside it is admitted and reported. */
  allowIpDryRun: boolean;
  /** The key's enforced limits, then its consumer's. */
  limits: readonly AppliedLimit[];
  /** The checks of `limits`, in the same order (passed as is when no limits are named). */
  defaultChecks: readonly LimitCheck[];
  /** `identity.permissions`, prepared for `evaluatePermissionQuery`. */
  grants: PermissionGrants;
  /**
   * The balances a verification spends from, in order: the key's, then its consumer's, each
   * where a quota is configured or a balance exists. Empty: verification spends no credits.
   */
  creditCharges: readonly CreditCharge[];
  /** The dry-run limits (key's, then consumer's): counted, never denying. */
  dryRun: LimitSet;
  /** The dry-run quotas (key's, then consumer's): spent while they last, never denying. */
  dryRunCharges: readonly CreditCharge[];
  /** The lifetime policy of the key's API (rotation is checked at every verification); null: none. */
  lifetime: LifetimePolicy | null;
  /**
   * A publishable key's allowed browser origins (its API's policy); null for a secret key.
   * Its `identity.permissions` are already its own ∩ the API's public permissions.
   */
  allowOrigin: ((origin: string) => boolean) | null;
  /**
   * A child key's parent as resolved with this entry; null when the parent is gone, was
   * rolled since the mint or does not fit the child (the child then answers REVOKED).
   * Absent on every other key.
   */
  parent?: ResolvedKey | null;
}

const isDryRun = (config: { mode?: string } | null): boolean => config?.mode === 'dry-run';

function uniquePermissions(
  own: readonly string[],
  roles: readonly { permissions: readonly string[] }[],
): string[] {
  const all = new Set(own);
  for (const role of roles) for (const permission of role.permissions) all.add(permission);
  return [...all];
}

function limitsOf(key: KeyRecord, consumer: Consumer | null): AppliedLimit[] {
  const limits: AppliedLimit[] = key.ratelimits.map((config) => ({
    name: config.name,
    scope: 'key',
    check: { counter: `key:${key.id}:${config.name}`, config, cost: 1 },
  }));
  if (consumer === null) return limits;
  for (const config of consumer.ratelimits) {
    limits.push({
      name: config.name,
      scope: 'consumer',
      check: { counter: `consumer:${consumer.id}:${config.name}`, config, cost: 1 },
    });
  }
  return limits;
}

/** The balances to spend from: each owner with a quota configured or a balance stored. */
function creditChargesOf(
  key: KeyRecord,
  consumer: Consumer | null,
  keyBalance: number | null,
  consumerBalance: number | null,
): CreditCharge[] {
  const charges: CreditCharge[] = [];
  if (key.credits !== null || keyBalance !== null) {
    charges.push({ owner: { kind: 'key', id: key.id }, config: key.credits });
  }
  if (consumer !== null && (consumer.credits !== null || consumerBalance !== null)) {
    charges.push({ owner: { kind: 'consumer', id: consumer.id }, config: consumer.credits });
  }
  return charges;
}

/** The admin API validates CIDRs on write; should a stored one be malformed anyway, the key admits no address (fail closed). */
function allowListOf(cidrs: readonly string[]): (ip: string) => boolean {
  try {
    return compileAllowList(cidrs);
  } catch {
    return () => false;
  }
}

/**
 * Loads what a found key's verification depends on (roles, consumer, credit balances)
 * and builds its cache view. Reads run concurrently; unknown role names are ignored.
 */
export async function resolveKey(store: Store, lookup: KeyLookup, now: number): Promise<ResolvedKey> {
  const { key, graceUntil } = lookup;
  if (key.parent !== undefined) return resolveChild(store, key, graceUntil, now);
  const consumerId = key.consumerId;
  const publishable = key.kind === 'publishable';
  const [roles, consumer, keyBalance, consumerBalance, lifetime, policy] = await Promise.all([
    key.roles.length === 0 ? [] : store.roles.getByNames(key.workspaceId, key.roles),
    consumerId === null ? null : store.consumers.get(key.workspaceId, consumerId),
    key.credits === null ? store.credits.get({ kind: 'key', id: key.id }, now) : null,
    consumerId === null ? null : store.credits.get({ kind: 'consumer', id: consumerId }, now),
    store.lifetimePolicies.get(key.workspaceId, key.apiId),
    publishable ? store.publishablePolicies.get(key.workspaceId, key.apiId) : null,
  ]);
  const own = uniquePermissions(key.permissions, roles);
  const limits = limitsOf(key, consumer);
  const enforced = limits.filter((limit) => !isDryRun(limit.check.config));
  const dryRunLimits = limits.filter((limit) => isDryRun(limit.check.config));
  const charges = creditChargesOf(key, consumer, keyBalance, consumerBalance);
  const identity: VerifiedIdentity = {
    keyId: key.id,
    workspaceId: key.workspaceId,
    apiId: key.apiId,
    consumer:
      consumer === null
        ? null
        : { id: consumer.id, externalId: consumer.externalId, name: consumer.name, meta: consumer.meta },
    name: key.name,
    meta: key.meta,
    // Without a policy nothing is public: a publishable key may do nothing.
    permissions: publishable ? publicIntersection(own, policy?.publicPermissions ?? []) : own,
    roles: key.roles,
    expiresAt: key.expiresAt,
    environment: key.environment,
    parentKeyId: null,
  };
  return {
    keyId: key.id,
    workspaceId: key.workspaceId,
    // The key's consumer id even when the consumer is gone: its invalidation must still reach this entry.
    consumerId,
    key,
    graceUntil,
    roll: lookup.roll ?? null,
    consumer,
    identity,
    allowIp: key.allowedIps.length === 0 ? null : allowListOf(key.allowedIps),
    allowIpDryRun: key.allowedIpsMode === 'dry-run',
    limits: enforced,
    defaultChecks: enforced.map((limit) => limit.check),
    grants: compilePermissions(identity.permissions),
    creditCharges: charges.filter((charge) => !isDryRun(charge.config)),
    dryRun: { limits: dryRunLimits, defaultChecks: dryRunLimits.map((limit) => limit.check) },
    dryRunCharges: charges.filter((charge) => isDryRun(charge.config)),
    lifetime,
    allowOrigin: publishable ? compileOriginAllowList(policy?.allowedOrigins ?? []) : null,
  };
}

/** The parent a child names, resolved; null when it is gone, rolled since the mint or not one level up. */
async function resolveParent(store: Store, child: KeyRecord, now: number): Promise<ResolvedKey | null> {
  const link = child.parent;
  if (link === undefined) return null;
  const parent = await store.keys.get(child.workspaceId, link.keyId);
  // The depth check also bounds the recursion should rows ever form a cycle.
  if (parent === null || (parent.parent?.depth ?? 0) !== link.depth - 1) return null;
  if (childBinding(parent.digest) !== link.binding) return null;
  return resolveKey(store, { key: parent, graceUntil: null }, now);
}

/**
 * A child key's view (see `child-keys.ts`): its own permissions, its own limits followed by
 * every limit of its parent (the same counters: the child's traffic counts against them), the
 * parent's balances to spend from, and an IP list that admits what both admit.
 */
async function resolveChild(
  store: Store,
  key: KeyRecord,
  graceUntil: number | null,
  now: number,
): Promise<ResolvedKey> {
  // The child as an ordinary key (its own permissions, IP list and consumer), then composed.
  const { parent: _link, ...plain } = key;
  const [own, parent] = await Promise.all([
    resolveKey(store, { key: { ...plain, credits: null }, graceUntil }, now),
    resolveParent(store, key, now),
  ]);
  const ownLimits = limitsOf(key, null);
  const limits = [...ownLimits.filter((limit) => !isDryRun(limit.check.config)), ...(parent?.limits ?? [])];
  const dryRunLimits = [
    ...ownLimits.filter((limit) => isDryRun(limit.check.config)),
    ...(parent?.dryRun.limits ?? []),
  ];
  // Only enforced allow-lists take part (a dry-run one of either key is not reported for the child).
  const parentIp = parent === null || parent.allowIpDryRun ? null : parent.allowIp;
  const ownIp = own.allowIpDryRun ? null : own.allowIp;
  const allowIp =
    parentIp === null ? ownIp : ownIp === null ? parentIp : (ip: string) => ownIp(ip) && parentIp(ip);
  return {
    ...own,
    key,
    ancestors: parent === null ? [key.parent?.keyId ?? ''] : [parent.keyId, ...(parent.ancestors ?? [])],
    identity: { ...own.identity, parentKeyId: key.parent?.keyId ?? null },
    allowIp,
    allowIpDryRun: false,
    limits,
    defaultChecks: limits.map((limit) => limit.check),
    dryRun: { limits: dryRunLimits, defaultChecks: dryRunLimits.map((limit) => limit.check) },
    creditCharges: parent?.creditCharges ?? [],
    dryRunCharges: parent?.dryRunCharges ?? [],
    parent,
  };
}
