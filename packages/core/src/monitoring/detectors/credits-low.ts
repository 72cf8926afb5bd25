import type { CreditsConfig } from '../../contracts/model.js';
import type { Finding } from '../alert-model.js';
import type { CreditsLowConfig } from '../policy.js';

/** A credit balance as the detector sees it. */
export interface CreditBalanceSample {
  owner: { kind: 'key' | 'consumer'; id: string };
  /** After any refill that fell due. */
  remaining: number;
  config: CreditsConfig | null;
}

/**
 * A balance at or below `percent`% of its refill amount, or at or below `minRemaining`
 * (whichever is higher; only `minRemaining` without a refill). Exhausted is critical.
 */
export function detectCreditsLow(
  balances: readonly CreditBalanceSample[],
  config: CreditsLowConfig,
): Finding[] {
  if (!config.enabled) return [];
  const findings: Finding[] = [];
  for (const balance of balances) {
    const refill = balance.config?.refill ?? null;
    const threshold = Math.max(
      config.minRemaining,
      refill === null ? 0 : Math.floor((config.percent / 100) * refill.amount),
    );
    if (balance.remaining > threshold) continue;
    findings.push({
      detector: 'credits_low',
      subject: { type: balance.owner.kind, id: balance.owner.id },
      severity: balance.remaining <= 0 ? 'critical' : 'warning',
      summary:
        balance.remaining <= 0
          ? `${balance.owner.kind} credits exhausted`
          : `${balance.remaining} ${balance.owner.kind} credits left (threshold ${threshold})`,
      evidence: {
        remaining: balance.remaining,
        threshold,
        refillAmount: refill?.amount ?? null,
        refillInterval: refill?.interval ?? null,
      },
    });
  }
  return findings;
}
