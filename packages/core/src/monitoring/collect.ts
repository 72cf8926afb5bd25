import type { KeyRecord } from '../contracts/model.js';
import type { CreditLedger, Store } from '../contracts/store.js';
import type { DetectorName, Finding } from './alert-model.js';
import { detectBruteForce } from './detectors/brute-force.js';
import { type CreditBalanceSample, detectCreditsLow } from './detectors/credits-low.js';
import { detectIpSpread } from './detectors/ip-spread.js';
import { detectExpiringKeys, type KeyState } from './detectors/key-expiring.js';
import { detectUnusedKeys } from './detectors/key-unused.js';
import { detectNewNetworks } from './detectors/new-network.js';
import { detectRotationGraceEnding, type RollInGrace } from './detectors/rotation-grace-ending.js';
import { detectTrafficSpikes, type KeyTraffic, trafficWindows } from './detectors/traffic-spike.js';
import type { MonitoringPolicy } from './policy.js';
import type { UsageSignals } from './usage-signals.js';

/** Detectors over recent traffic: cheap, run often. */
export const TRAFFIC_DETECTORS: readonly DetectorName[] = [
  'traffic_spike',
  'ip_spread',
  'new_network',
  'brute_force',
];
/** Detectors over key state (every key is read): run less often. */
export const KEY_STATE_DETECTORS: readonly DetectorName[] = [
  'credits_low',
  'key_expiring',
  'key_unused',
  'rotation_grace_ending',
];

export interface DetectionSources {
  store: Pick<Store, 'keys' | 'consumers'>;
  /** The ledger verification spends from (Redis or the database): balances as the engine sees them. */
  credits: Pick<CreditLedger, 'get'>;
  signals: UsageSignals;
}

/** One detection pass: which detectors ran (their alerts are synced) and what they found. */
export interface Detection {
  detectors: readonly DetectorName[];
  findings: Finding[];
}

/** Runs the traffic detectors of one workspace at `now`. Disabled detectors find nothing (their alerts resolve). */
export async function detectTraffic(
  sources: DetectionSources,
  workspaceId: string,
  policy: MonitoringPolicy,
  now: number,
): Promise<Detection> {
  const { signals, store } = sources;
  const findings: Finding[] = [];
  const { trafficSpike, ipSpread, newNetwork, bruteForce } = policy;

  if (trafficSpike.enabled) {
    const windows = trafficWindows(trafficSpike, now);
    const counts = await signals.keyCounts(workspaceId, windows.recentFrom, windows.recentTo);
    const candidates = [...counts].filter(([, n]) => n >= trafficSpike.minCount).map(([id]) => id);
    const hourly = await signals.hourlyCounts(
      workspaceId,
      candidates,
      windows.baselineFrom,
      windows.baselineTo,
    );
    const keys: KeyTraffic[] = [];
    for (const keyId of candidates) {
      const key = await store.keys.get(workspaceId, keyId);
      if (key === null) continue;
      keys.push({
        keyId,
        createdAt: key.createdAt,
        recent: counts.get(keyId) ?? 0,
        hourly: hourly.get(keyId) ?? new Map(),
      });
    }
    findings.push(...detectTrafficSpikes(keys, trafficSpike, windows));
  }

  if (ipSpread.enabled) {
    const window = { from: now - ipSpread.windowMs, to: now };
    findings.push(
      ...detectIpSpread(await signals.keyIps(workspaceId, window.from, window.to), ipSpread, window),
    );
  }

  if (newNetwork.enabled) {
    const window = { from: now - newNetwork.windowMs, to: now };
    const recent = await signals.keyIps(workspaceId, window.from, window.to);
    const keyIds = [...new Set(recent.map((row) => row.keyId))];
    const history =
      keyIds.length === 0
        ? []
        : await signals.keyIps(workspaceId, window.from - newNetwork.historyMs, window.from, keyIds);
    findings.push(...detectNewNetworks(recent, history, newNetwork, window));
  }

  if (bruteForce.enabled) {
    const window = { from: now - bruteForce.windowMs, to: now };
    const rows = await signals.invalidByIp(workspaceId, window.from, window.to, bruteForce.minInvalid);
    findings.push(...detectBruteForce(rows, bruteForce, { ...window, workspaceId }));
  }
  return { detectors: TRAFFIC_DETECTORS, findings };
}

const PAGE = 100;

/** Every record of a paged list. */
async function all<T>(list: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>) {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page = await list(cursor);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

const keyState = (key: KeyRecord): KeyState => ({
  id: key.id,
  enabled: key.enabled,
  createdAt: key.createdAt,
  expiresAt: key.expiresAt,
  revokedAt: key.revokedAt,
});

/** Longest a grace period can still run after its old secret's last use is looked at (30 days, the longest grace). */
const GRACE_LOOKBACK_MS = 30 * 86_400_000;

/** Rolls in grace whose old secret was used lately (rotation telemetry), read only for those keys. */
async function rollsInGrace(
  sources: DetectionSources,
  workspaceId: string,
  now: number,
): Promise<RollInGrace[]> {
  const uses = await sources.signals.previousCredentialUse(workspaceId, now - GRACE_LOOKBACK_MS);
  const out: RollInGrace[] = [];
  const rollsOf = new Map<string, Awaited<ReturnType<typeof sources.store.keys.rolls>>>();
  for (const use of uses) {
    if (!rollsOf.has(use.keyId)) {
      const key = await sources.store.keys.get(workspaceId, use.keyId);
      rollsOf.set(
        use.keyId,
        key === null || key.revokedAt !== null
          ? null
          : await sources.store.keys.rolls(workspaceId, use.keyId),
      );
    }
    const roll = rollsOf.get(use.keyId)?.find((r) => r.rolledAt === use.rolledAt);
    if (roll !== undefined && roll.graceUntil > now) out.push({ ...use, graceUntil: roll.graceUntil });
  }
  return out;
}

/** Runs the key-state detectors of one workspace at `now` (reads every key, and every balance that exists). */
export async function detectKeyStates(
  sources: DetectionSources,
  workspaceId: string,
  policy: MonitoringPolicy,
  now: number,
): Promise<Detection> {
  const { store, credits, signals } = sources;
  const { creditsLow, keyExpiring, keyUnused } = policy;
  const findings: Finding[] = detectRotationGraceEnding(await rollsInGrace(sources, workspaceId, now), now);
  if (!creditsLow.enabled && !keyExpiring.enabled && !keyUnused.enabled) {
    return { detectors: KEY_STATE_DETECTORS, findings };
  }
  const keys = await all((cursor) => store.keys.list(workspaceId, { limit: PAGE, cursor }));
  const live = keys.filter((key) => key.revokedAt === null);

  if (creditsLow.enabled) {
    const balances: CreditBalanceSample[] = [];
    for (const key of live) {
      if (key.credits === null) continue;
      const remaining = await credits.get({ kind: 'key', id: key.id }, now);
      if (remaining !== null)
        balances.push({ owner: { kind: 'key', id: key.id }, remaining, config: key.credits });
    }
    const consumers = await all((cursor) => store.consumers.list(workspaceId, { limit: PAGE, cursor }));
    for (const consumer of consumers) {
      if (consumer.credits === null) continue;
      const remaining = await credits.get({ kind: 'consumer', id: consumer.id }, now);
      if (remaining !== null) {
        balances.push({ owner: { kind: 'consumer', id: consumer.id }, remaining, config: consumer.credits });
      }
    }
    findings.push(...detectCreditsLow(balances, creditsLow));
  }
  const states = live.map(keyState);
  findings.push(...detectExpiringKeys(states, keyExpiring, now));
  if (keyUnused.enabled) {
    const lastUsed = await signals.lastUsed(
      workspaceId,
      live.map((key) => key.id),
    );
    findings.push(...detectUnusedKeys(states, lastUsed, keyUnused, now));
  }
  return { detectors: KEY_STATE_DETECTORS, findings };
}
