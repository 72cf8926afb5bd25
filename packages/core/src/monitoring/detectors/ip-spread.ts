import type { Finding } from '../alert-model.js';
import type { IpSpreadConfig } from '../policy.js';

/** Verifications of one key from one address in a window. */
export interface KeyIpCount {
  keyId: string;
  ip: string;
  count: number;
}

/** Most addresses listed as evidence. */
const TOP_IPS = 20;

/** Rows grouped by key. */
export function byKey(rows: readonly KeyIpCount[]): Map<string, KeyIpCount[]> {
  const grouped = new Map<string, KeyIpCount[]>();
  for (const row of rows) {
    const list = grouped.get(row.keyId);
    if (list === undefined) grouped.set(row.keyId, [row]);
    else list.push(row);
  }
  return grouped;
}

/**
 * A key used from more than `maxDistinctIps` distinct addresses in the window: a server
 * key normally calls from a handful, a leaked one from everywhere. The busiest addresses
 * are the evidence.
 */
export function detectIpSpread(
  rows: readonly KeyIpCount[],
  config: IpSpreadConfig,
  window: { from: number; to: number },
): Finding[] {
  if (!config.enabled) return [];
  const findings: Finding[] = [];
  for (const [keyId, list] of byKey(rows)) {
    const ips = new Map<string, number>();
    for (const row of list) ips.set(row.ip, (ips.get(row.ip) ?? 0) + row.count);
    if (ips.size <= config.maxDistinctIps) continue;
    const top = [...ips]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, TOP_IPS)
      .map(([ip, count]) => ({ ip, count }));
    findings.push({
      detector: 'ip_spread',
      subject: { type: 'key', id: keyId },
      severity: ips.size > 5 * config.maxDistinctIps ? 'critical' : 'warning',
      summary: `key used from ${ips.size} distinct addresses in ${(window.to - window.from) / 60_000} min (possible leak)`,
      evidence: {
        windowFrom: window.from,
        windowTo: window.to,
        distinctIps: ips.size,
        maxDistinctIps: config.maxDistinctIps,
        topIps: top,
      },
    });
  }
  return findings;
}
