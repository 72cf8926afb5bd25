import type { Finding } from '../alert-model.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** The last use of a rolled key's old secret (rotation telemetry), per key and roll. */
export interface PreviousCredentialUse {
  keyId: string;
  rolledAt: number;
  lastSeen: number;
  /** Verifications with the old secret since the roll. */
  requests: number;
}

/** A roll whose old secret is still in its grace period, with that secret's last use. */
export interface RollInGrace extends PreviousCredentialUse {
  graceUntil: number;
}

/**
 * The end part of a grace period watched for old-secret use: its last 10%, or its last hour
 * when that is longer (a roll from before rotation telemetry, with no roll time: the last hour).
 */
export function graceEndingWindow(rolledAt: number, graceUntil: number): number {
  if (rolledAt <= 0) return HOUR;
  return Math.max(HOUR, Math.ceil((graceUntil - rolledAt) / 10));
}

/**
 * A rolled key whose old secret was still presented within the end part of its grace period
 * (`graceEndingWindow`): its clients will break when the grace ends. One active alert per
 * key: it stays while the finding holds and resolves once the grace is over, so a roll
 * raises it at most once (an extension moves the window, and may raise it again near the
 * new end). No address in the summary.
 */
export function detectRotationGraceEnding(rolls: readonly RollInGrace[], now: number): Finding[] {
  const findings: Finding[] = [];
  for (const roll of rolls) {
    if (roll.graceUntil <= now) continue;
    const windowStart = roll.graceUntil - graceEndingWindow(roll.rolledAt, roll.graceUntil);
    if (now < windowStart || roll.lastSeen < windowStart) continue;
    const minutesLeft = Math.ceil((roll.graceUntil - now) / MINUTE);
    findings.push({
      detector: 'rotation_grace_ending',
      subject: { type: 'key', id: roll.keyId },
      severity: 'warning',
      summary: `the old secret of a rolled key is still in use; its grace period ends in ${minutesLeft} min`,
      evidence: {
        rolledAt: roll.rolledAt === 0 ? null : roll.rolledAt,
        graceUntil: roll.graceUntil,
        windowStart,
        lastSeen: roll.lastSeen,
        requests: roll.requests,
      },
    });
  }
  return findings;
}
