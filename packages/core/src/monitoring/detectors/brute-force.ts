import type { Finding } from '../alert-model.js';
import type { BruteForceConfig } from '../policy.js';

/** Unknown-key verifications from one address (null: verifications that named none) in a window. */
export interface InvalidFromIp {
  ip: string | null;
  count: number;
  firstAt: number;
  lastAt: number;
}

/**
 * An address that presented at least `minInvalid` unknown keys (NOT_FOUND) in the window:
 * someone guessing keys, or a client stuck on a deleted one. The address is the subject;
 * unknown keys with no address (the verify API called without `ip`) count together, with
 * the workspace as the subject, so guessing through a backend that omits it is seen too.
 */
export function detectBruteForce(
  rows: readonly InvalidFromIp[],
  config: BruteForceConfig,
  window: { from: number; to: number; workspaceId: string },
): Finding[] {
  if (!config.enabled) return [];
  const minutes = (window.to - window.from) / 60_000;
  return rows
    .filter((row) => row.count >= config.minInvalid)
    .map(
      (row): Finding => ({
        detector: 'brute_force',
        subject: row.ip === null ? { type: 'workspace', id: window.workspaceId } : { type: 'ip', id: row.ip },
        severity: row.count >= 10 * config.minInvalid ? 'critical' : 'warning',
        summary:
          row.ip === null
            ? `${row.count} unknown keys presented without a client address in ${minutes} min`
            : `${row.count} unknown keys presented from one address in ${minutes} min`,
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
