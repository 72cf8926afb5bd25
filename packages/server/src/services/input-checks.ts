import {
  type CreditsConfig,
  KeywardError,
  type Meta,
  type RateLimitConfig,
  validateCidr,
  validatePermission,
} from '@keyward/core';
import { type CreditsInput, LIMITS, type RateLimit } from '@keyward/protocol';

/**
 * Checks JSON Schema cannot express, each failing with `VALIDATION` naming the field
 * (`body.meta`, `body.ratelimits[2].name`). Run before any write so that a rejected
 * request changes nothing.
 */

const invalid = (field: string, message: string): never => {
  throw new KeywardError('VALIDATION', `${field} ${message}`, { field });
};

/** `meta`: at most 16 levels deep and 16 KiB serialized (walked iteratively: no recursion on hostile input). */
export function checkMeta(meta: Meta | null | undefined, field: string): void {
  if (meta === null || meta === undefined) return;
  const stack: Array<{ value: unknown; depth: number }> = [{ value: meta, depth: 1 }];
  while (stack.length > 0) {
    const top = stack.pop() as { value: unknown; depth: number };
    if (typeof top.value !== 'object' || top.value === null) continue;
    if (top.depth > LIMITS.metaDepth)
      invalid(field, `must not be nested deeper than ${LIMITS.metaDepth} levels`);
    for (const child of Object.values(top.value)) stack.push({ value: child, depth: top.depth + 1 });
  }
  if (Buffer.byteLength(JSON.stringify(meta), 'utf8') > LIMITS.metaBytes) {
    invalid(field, `must not exceed ${LIMITS.metaBytes} bytes serialized`);
  }
}

/** Permissions: each well-formed (see core `validatePermission`); duplicates dropped, order kept. */
export function checkPermissions(permissions: readonly string[], field: string): string[] {
  permissions.forEach((p, i) => {
    if (!validatePermission(p)) invalid(`${field}[${i}]`, 'is not a valid permission');
  });
  return [...new Set(permissions)];
}

/** Rate limits: names unique; algorithm defaults to `sliding_window`; `mode` kept only for dry-run (absent: enforced). */
export function checkRateLimits(limits: readonly RateLimit[], field: string): RateLimitConfig[] {
  const seen = new Set<string>();
  return limits.map((limit, i) => {
    if (seen.has(limit.name)) invalid(`${field}[${i}].name`, `repeats the name "${limit.name}"`);
    seen.add(limit.name);
    return {
      name: limit.name,
      limit: limit.limit,
      duration: limit.duration,
      algorithm: limit.algorithm ?? 'sliding_window',
      ...(limit.mode === 'dry-run' ? { mode: 'dry-run' as const } : {}),
    };
  });
}

/** Allowed IPs: IPv4/IPv6 addresses or CIDRs. */
export function checkAllowedIps(cidrs: readonly string[], field: string): string[] {
  cidrs.forEach((cidr, i) => {
    if (!validateCidr(cidr)) invalid(`${field}[${i}]`, 'is not an IP address or CIDR');
  });
  return [...new Set(cidrs)];
}

/** A quota as stored: the configuration and the starting balance. `day` only with a monthly refill. */
export function checkCredits(
  credits: CreditsInput,
  field: string,
): { config: CreditsConfig; remaining: number } {
  const refill = credits.refill ?? null;
  if (refill !== null && refill.day !== undefined && refill.interval !== 'monthly') {
    invalid(`${field}.refill.day`, "is only allowed with interval 'monthly'");
  }
  const config: CreditsConfig = {
    refill:
      refill === null
        ? null
        : {
            interval: refill.interval,
            amount: refill.amount,
            ...(refill.interval === 'monthly' ? { day: refill.day ?? 1 } : {}),
          },
    ...(credits.mode === 'dry-run' ? { mode: 'dry-run' as const } : {}),
  };
  return { config, remaining: credits.remaining };
}

/** An expiry must lie in the future. */
export function checkExpiresAt(expiresAt: number | null | undefined, now: number, field: string): void {
  if (typeof expiresAt === 'number' && expiresAt <= now) invalid(field, 'must be in the future');
}

const PART = /^(body|querystring|params|headers)\b/;

/** Re-labels a store error's bare field (`externalId`) with the request part (`body.externalId`). */
export function inPart(error: unknown, part: string): unknown {
  if (!(error instanceof KeywardError) || error.field === undefined || PART.test(error.field)) return error;
  return new KeywardError(error.code, error.message, { field: `${part}.${error.field}`, cause: error });
}
