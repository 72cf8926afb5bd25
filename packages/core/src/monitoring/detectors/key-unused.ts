import type { Finding } from '../alert-model.js';
import type { KeyUnusedConfig } from '../policy.js';
import type { KeyState } from './key-expiring.js';

const DAY = 86_400_000;

/**
 * An enabled, live key not verified for `days` days (or never, once it is that old): a
 * forgotten credential is attack surface; disabling it is cheap to undo.
 */
export function detectUnusedKeys(
  keys: readonly KeyState[],
  lastUsed: ReadonlyMap<string, number>,
  config: KeyUnusedConfig,
  now: number,
): Finding[] {
  if (!config.enabled) return [];
  const cutoff = now - config.days * DAY;
  const findings: Finding[] = [];
  for (const key of keys) {
    if (!key.enabled || key.revokedAt !== null || (key.expiresAt !== null && key.expiresAt <= now)) continue;
    const used = lastUsed.get(key.id) ?? null;
    if (key.createdAt > cutoff || (used !== null && used > cutoff)) continue;
    const idleDays = Math.floor((now - (used ?? key.createdAt)) / DAY);
    findings.push({
      detector: 'key_unused',
      subject: { type: 'key', id: key.id },
      severity: 'info',
      summary: used === null ? `key never used in ${idleDays} days` : `key unused for ${idleDays} days`,
      evidence: { lastUsedAt: used, createdAt: key.createdAt, idleDays, days: config.days },
    });
  }
  return findings;
}
