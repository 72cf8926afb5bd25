import type { Finding } from '../alert-model.js';
import { networkOf } from '../networks.js';
import type { NewNetworkConfig } from '../policy.js';
import { byKey, type KeyIpCount } from './ip-spread.js';

/** Most new networks, and addresses per network, listed as evidence. */
const MAX_NETWORKS = 20;
const MAX_IPS_PER_NETWORK = 10;

/**
 * A key used in the window from networks (/24, /48) it never used in its history (the
 * `historyMs` before the window), once it has at least `minHistoryEvents` verifications
 * with an address there: a key with habits suddenly calling from somewhere new.
 */
export function detectNewNetworks(
  recent: readonly KeyIpCount[],
  history: readonly KeyIpCount[],
  config: NewNetworkConfig,
  window: { from: number; to: number },
): Finding[] {
  if (!config.enabled) return [];
  const past = byKey(history);
  const findings: Finding[] = [];
  for (const [keyId, list] of byKey(recent)) {
    const before = past.get(keyId) ?? [];
    const historyEvents = before.reduce((sum, row) => sum + row.count, 0);
    if (historyEvents < config.minHistoryEvents) continue;
    const known = new Set(before.map((row) => networkOf(row.ip)));
    const fresh = new Map<string, { ips: Set<string>; count: number }>();
    for (const row of list) {
      const network = networkOf(row.ip);
      if (network === null || known.has(network)) continue;
      const entry = fresh.get(network) ?? { ips: new Set<string>(), count: 0 };
      entry.ips.add(row.ip);
      entry.count += row.count;
      fresh.set(network, entry);
    }
    if (fresh.size === 0) continue;
    const networks = [...fresh]
      .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
      .slice(0, MAX_NETWORKS)
      .map(([network, { ips, count }]) => ({
        network,
        count,
        ips: [...ips].sort().slice(0, MAX_IPS_PER_NETWORK),
      }));
    findings.push({
      detector: 'new_network',
      subject: { type: 'key', id: keyId },
      severity: 'warning',
      summary: `key used from ${fresh.size} network(s) it never used before (possible leak)`,
      evidence: {
        windowFrom: window.from,
        windowTo: window.to,
        historyFrom: window.from - config.historyMs,
        historyEvents,
        knownNetworks: known.size,
        newNetworks: networks,
      },
    });
  }
  return findings;
}
