import type { Finding } from '../alert-model.js';
import type { BruteForceConfig } from '../policy.js';

/** Unknown-key verifications from one address in a window. */
export interface InvalidFromIp {
  ip: string;
  count: number;
  firstAt: number;
  lastAt: number;
}

/**
 * An address that presented at least `minInvalid` unknown keys (NOT_FOUND) in the window:
 * someone guessing keys, or a client stuck on a deleted one. The address is the subject.
 */
export function detectBruteForce(
  rows: readonly InvalidFromIp[],
  config: BruteForceConfig,
  window: { from: number; to: number },
): Finding[] {
  if (!config.enabled) return [];
  return rows
    .filter((row) => row.count >= config.minInvalid)
    .map(
      (row): Finding => ({
        detector: 'brute_force',
        subject: { type: 'ip', id: row.ip },
        severity: row.count >= 10 * config.minInvalid ? 'critical' : 'warning',
        summary: `${row.count} unknown keys presented from one address in ${(window.to - window.from) / 60_000} min`,
        evidence: {
          ip: row.ip,
          attempts: row.count,
          minInvalid: config.minInvalid,
          windowFrom: window.from,
          windowTo: window.to,
          firstAt: row.firstAt,
          lastAt: row.lastAt,
        },
      }),
    );
}
