import { createHash } from 'node:crypto';
import { KeywardError } from '../contracts/errors.js';
import type { ChildKeyPolicy, KeyRecord, RateLimitConfig } from '../contracts/model.js';
import { permissionMatches } from '../decisions/permissions.js';

/**
 * Child keys: short-lived keys a key holder mints with its own key (`POST /v1/keys/children`).
 * A child never has more than its parent:
 * - at mint, its permissions are covered by the parent's, its expiry is no later than the
 *   parent's (and within the API's policy), its depth within the policy's `maxDepth`;
 * - at every verification (the engine), the parent (and its parent, ...) must itself be in
 *   good standing: not revoked, disabled or expired, and not rolled since the mint (the child
 *   holds `childBinding` of the parent's digest at mint); the request must satisfy the
 *   parent's permissions and IP list as well as the child's; the parent's rate limits count
 *   the child's traffic (same counters) on top of the child's own; credits are spent from the
 *   parent's balances (and its consumer's), never from a balance of the child.
 */

/** What an API without a stored policy allows: children of ordinary keys, for at most an hour. */
export const DEFAULT_CHILD_KEY_POLICY: Readonly<ChildKeyPolicy> = Object.freeze({
  enabled: true,
  maxExpiresInSeconds: 3600,
  maxDepth: 1,
});

/**
 * Ties a child to its parent's current secret without holding the parent's digest: a roll
 * of the parent gives it a new digest, and the children minted before no longer match.
 */
export function childBinding(parentDigest: string): string {
  return createHash('sha256')
    .update('keyward child binding\0')
    .update(parentDigest)
    .digest('hex')
    .slice(0, 32);
}

/**
 * True when the parent's permissions cover the child permission: every permission the child's
 * one grants (wildcards included) is granted by one of the parent's. A child's `*` segment is
 * matched literally, so only a parent wildcard at that position covers it: `chargers:*` covers
 * `chargers:read` and `chargers:*`, while `chargers:read` does not cover `chargers:*`.
 *
 * @example permissionCovered(['chargers:*'], 'chargers:read') // true
 */
export function permissionCovered(parent: readonly string[], child: string): boolean {
  return parent.some((granted) => permissionMatches(granted, child));
}

/** The first of the child's permissions that the parent's do not cover, or null when all are. */
export function firstUncovered(parent: readonly string[], child: readonly string[]): number | null {
  const index = child.findIndex((permission) => !permissionCovered(parent, permission));
  return index === -1 ? null : index;
}

/** What a key holder asks for when minting a child (validated for shape by the caller). */
export interface ChildKeyRequest {
  /** Each covered by the parent's permissions (roles resolved). */
  permissions: readonly string[];
  /** Lifetime in seconds: 1 to the policy's `maxExpiresInSeconds`, and not past the parent's expiry. */
  expiresIn: number;
  /** The child's own limits, applied on top of every limit of the parent. */
  ratelimits?: readonly RateLimitConfig[];
  /** The child's own IP list; the parent's applies too (the child admits what both admit). */
  allowedIps?: readonly string[];
  name?: string | null;
}

/** The new child's secret-derived fields, made by the caller (the plaintext stays there). */
export interface ChildSecret {
  id: string;
  digest: string;
  hint: string;
}

const refuse = (code: 'VALIDATION' | 'FORBIDDEN', message: string, field?: string): never => {
  throw new KeywardError(code, message, field === undefined ? {} : { field });
};

/**
 * The child key a parent may mint, or a `KeywardError`: `FORBIDDEN` when the API's policy
 * allows no child at this depth, `VALIDATION` naming the request field (`permissions[1]`,
 * `expiresIn`) when the child would have more than its parent or the policy allows. The
 * child belongs to the parent's workspace, API, consumer and environment, has no roles and
 * no credits of its own (it spends the parent's), and is bound to the parent's current secret.
 *
 * @example const child = mintChildKey(parent, identity.permissions, policy, body, secret, now);
 */
export function mintChildKey(
  parent: KeyRecord,
  parentPermissions: readonly string[],
  policy: ChildKeyPolicy,
  request: ChildKeyRequest,
  secret: ChildSecret,
  now: number,
): KeyRecord {
  if (!policy.enabled) refuse('FORBIDDEN', 'child keys are disabled for this API');
  const depth = (parent.parent?.depth ?? 0) + 1;
  if (depth > policy.maxDepth) {
    refuse(
      'FORBIDDEN',
      `this key cannot mint child keys: a child would be at depth ${depth}, the API's policy allows ${policy.maxDepth}`,
    );
  }
  const uncovered = firstUncovered(parentPermissions, request.permissions);
  if (uncovered !== null) {
    refuse(
      'VALIDATION',
      `permissions[${uncovered}] "${request.permissions[uncovered]}" is not covered by the parent key's permissions`,
      `permissions[${uncovered}]`,
    );
  }
  const { expiresIn } = request;
  if (!Number.isSafeInteger(expiresIn) || expiresIn < 1 || expiresIn > policy.maxExpiresInSeconds) {
    refuse(
      'VALIDATION',
      `expiresIn must be an integer from 1 to ${policy.maxExpiresInSeconds} seconds (the API's policy)`,
      'expiresIn',
    );
  }
  const expiresAt = now + expiresIn * 1000;
  if (parent.expiresAt !== null && expiresAt > parent.expiresAt) {
    refuse('VALIDATION', "expiresIn reaches past the parent key's own expiry", 'expiresIn');
  }
  return {
    id: secret.id,
    workspaceId: parent.workspaceId,
    apiId: parent.apiId,
    consumerId: parent.consumerId,
    digest: secret.digest,
    hint: secret.hint,
    name: request.name ?? null,
    meta: null,
    permissions: [...new Set(request.permissions)],
    roles: [],
    // A publishable key's child is publishable: the origin and public-permission rules stay.
    kind: parent.kind,
    ratelimits: [...(request.ratelimits ?? [])],
    credits: null,
    allowedIps: [...(request.allowedIps ?? [])],
    environment: parent.environment,
    enabled: true,
    disabledReason: null,
    expiresAt,
    revokedAt: null,
    imported: false,
    createdAt: now,
    updatedAt: now,
    parent: { keyId: parent.id, depth, binding: childBinding(parent.digest) },
  };
}
