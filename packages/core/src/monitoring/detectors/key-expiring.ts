import type { Finding } from '../alert-model.js';
import type { KeyExpiringConfig } from '../policy.js';

const DAY = 86_400_000;

/** What the key-state detectors read of a key. */
export interface KeyState {
  id: string;
  enabled: boolean;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

/** A live key (not revoked, not yet expired) that expires within `withinDays`; under a day is a warning. */
export function detectExpiringKeys(
  keys: readonly KeyState[],
  config: KeyExpiringConfig,
  now: number,
): Finding[] {
  if (!config.enabled) return [];
  const findings: Finding[] = [];
  for (const key of keys) {
    if (key.revokedAt !== null || key.expiresAt === null) continue;
    if (key.expiresAt <= now || key.expiresAt > now + config.withinDays * DAY) continue;
    const left = key.expiresAt - now;
    findings.push({
      detector: 'key_expiring',
      subject: { type: 'key', id: key.id },
      severity: left < DAY ? 'warning' : 'info',
      summary:
        left < DAY ? 'key expires in less than a day' : `key expires in ${Math.floor(left / DAY)} days`,
      evidence: { expiresAt: key.expiresAt, daysLeft: Math.floor(left / DAY), withinDays: config.withinDays },
    });
  }
  return findings;
}
