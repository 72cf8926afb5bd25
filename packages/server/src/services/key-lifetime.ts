import { KeywardError, maxExpiry } from '@keyward/core';
import type { ServiceDeps } from './context.js';
import type { KeySettings } from './key-settings.js';

/**
 * The API's maximum key lifetime (`maxTtlDays` of its lifetime policy, enforce mode) applied
 * to a key's checked settings: an `expiresAt` beyond `now + maxTtlDays`, or null (never), is
 * refused (422 naming `<at>.expiresAt`); a new key without one gets exactly that limit. An
 * update that leaves `expiresAt` out is not checked. Returns the settings to store.
 */
export async function applyMaxTtl(
  deps: ServiceDeps,
  workspaceId: string,
  apiId: string,
  settings: KeySettings,
  at: string,
  { creating }: { creating: boolean },
): Promise<KeySettings> {
  const policy = await deps.store.lifetimePolicies.get(workspaceId, apiId);
  if (policy === null || policy.mode !== 'enforce') return settings;
  const limit = maxExpiry(policy, deps.now());
  if (limit === null || policy.maxTtlDays === null) return settings;
  const { expiresAt } = settings;
  if (expiresAt === undefined) return creating ? { ...settings, expiresAt: limit } : settings;
  if (expiresAt === null || expiresAt > limit) {
    const field = `${at}.expiresAt`;
    const days = policy.maxTtlDays;
    throw new KeywardError(
      'UNPROCESSABLE',
      `${field} must be at most ${days} days ahead (the API's lifetime policy; latest ${new Date(limit).toISOString()})`,
      { field },
    );
  }
  return settings;
}
