import { KeywardError } from '../contracts/errors.js';
import { QUARANTINE_DETECTORS, type QuarantineDetector } from './alert-model.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A key's traffic far above its own baseline. */
export interface TrafficSpikeConfig {
  enabled: boolean;
  /** The recent window, in ms (whole minutes). Default 5 min. */
  windowMs: number;
  /** Hours of baseline before the window. Default 24. */
  baselineHours: number;
  /** Hours of baseline a key needs (its age) before it can spike. Default 6. */
  minBaselineHours: number;
  /** k: the window's hourly rate must exceed mean + k·σ of the baseline's hours. Default 4. */
  sigma: number;
  /** Verifications the window needs at least (no alert for 3 → 40 requests). Default 100. */
  minCount: number;
}

/** A key used from many distinct addresses at once. */
export interface IpSpreadConfig {
  enabled: boolean;
  /** Default 15 min. */
  windowMs: number;
  /** More distinct client addresses than this in the window raises. Default 50. */
  maxDistinctIps: number;
}

/** A key used from networks (/24, /48) it never used before. */
export interface NewNetworkConfig {
  enabled: boolean;
  /** The recent window. Default 15 min. */
  windowMs: number;
  /** How far back "before" reaches (bounded by raw-event retention). Default 7 days. */
  historyMs: number;
  /** Verifications with an address a key needs in its history first (a new key has no habits). Default 100. */
  minHistoryEvents: number;
}

/** Many unknown keys presented from one address. */
export interface BruteForceConfig {
  enabled: boolean;
  /** Default 10 min. */
  windowMs: number;
  /** NOT_FOUND verifications from one address in the window that raise. Default 100. */
  minInvalid: number;
}

/** Credits nearly exhausted (a key's or a consumer's). */
export interface CreditsLowConfig {
  enabled: boolean;
  /** Raise at or below this percentage of the refill amount. Default 10. */
  percent: number;
  /** ...or at or below this many credits (the only test without a refill). Default 10. */
  minRemaining: number;
}

export interface KeyExpiringConfig {
  enabled: boolean;
  /** Raise this many days before expiry. Default 7. */
  withinDays: number;
}

export interface KeyUnusedConfig {
  enabled: boolean;
  /** Raise for an enabled key that has not been verified for this many days (or ever, once that old). Default 90. */
  days: number;
}

/** What a key reported leaked (secret scanning, `POST /v1/keys/report-leak`) suffers; every choice also raises a `key_leaked` alert. */
export const LEAK_ACTIONS = ['disable', 'revoke', 'alert'] as const;
export type LeakAction = (typeof LEAK_ACTIONS)[number];

export interface LeakedKeysConfig {
  /**
   * `disable` (default: reversible, `disabledReason: "leaked: <where>"`), `revoke` (for good)
   * or `alert` (the key keeps working).
   */
  action: LeakAction;
}

/** What a secret key seen in a browser suffers; both raise a `key_exposed_in_client` alert. */
export const CLIENT_EXPOSURE_ACTIONS = ['alert', 'quarantine'] as const;
export type ClientExposureAction = (typeof CLIENT_EXPOSURE_ACTIONS)[number];

export interface ClientExposureConfig {
  /** `alert` (default: the key keeps working) or `quarantine` (disabled with reason `exposed_in_client`). */
  action: ClientExposureAction;
}

/** A workspace's monitoring settings (`PUT /v1/workspace/policy`). */
export interface MonitoringPolicy {
  trafficSpike: TrafficSpikeConfig;
  ipSpread: IpSpreadConfig;
  newNetwork: NewNetworkConfig;
  bruteForce: BruteForceConfig;
  creditsLow: CreditsLowConfig;
  keyExpiring: KeyExpiringConfig;
  keyUnused: KeyUnusedConfig;
  /**
   * Detectors whose new alerts disable their key at once, with the reason
   * `quarantined: <why> (alert <id>)`; re-enabling the key (`PATCH /v1/keys/:id
   * {"enabled":true}`) undoes it. Default none.
   */
  quarantine: QuarantineDetector[];
  /** What happens to a key reported leaked. Default `disable`. */
  leakedKeys: LeakedKeysConfig;
  /** What happens to a secret key presented by a browser. Default `alert`. */
  clientExposure: ClientExposureConfig;
}

export const DEFAULT_MONITORING_POLICY: Readonly<MonitoringPolicy> = Object.freeze({
  trafficSpike: {
    enabled: true,
    windowMs: 5 * MINUTE,
    baselineHours: 24,
    minBaselineHours: 6,
    sigma: 4,
    minCount: 100,
  },
  ipSpread: { enabled: true, windowMs: 15 * MINUTE, maxDistinctIps: 50 },
  newNetwork: { enabled: true, windowMs: 15 * MINUTE, historyMs: 7 * DAY, minHistoryEvents: 100 },
  bruteForce: { enabled: true, windowMs: 10 * MINUTE, minInvalid: 100 },
  creditsLow: { enabled: true, percent: 10, minRemaining: 10 },
  keyExpiring: { enabled: true, withinDays: 7 },
  keyUnused: { enabled: true, days: 90 },
  quarantine: [],
  leakedKeys: { action: 'disable' as LeakAction },
  clientExposure: { action: 'alert' as ClientExposureAction },
});

/** A policy as sent: any section, any field, may be left out (defaults fill them in). */
export type MonitoringPolicyInput = {
  [K in Exclude<keyof MonitoringPolicy, 'quarantine' | 'leakedKeys' | 'clientExposure'>]?: Partial<
    MonitoringPolicy[K]
  >;
} & {
  quarantine?: readonly string[];
  leakedKeys?: { action?: string };
  clientExposure?: { action?: string };
};

type Bounds = Record<string, [min: number, max: number, integer: boolean]>;

/** Accepted ranges of every numeric field. */
const BOUNDS: Record<
  Exclude<keyof MonitoringPolicy, 'quarantine' | 'leakedKeys' | 'clientExposure'>,
  Bounds
> = {
  trafficSpike: {
    windowMs: [MINUTE, HOUR, true],
    baselineHours: [1, 24 * 14, true],
    minBaselineHours: [1, 24 * 14, true],
    sigma: [0.5, 100, false],
    minCount: [1, 1e9, true],
  },
  ipSpread: { windowMs: [MINUTE, DAY, true], maxDistinctIps: [1, 1e6, true] },
  newNetwork: {
    windowMs: [MINUTE, DAY, true],
    historyMs: [HOUR, 90 * DAY, true],
    minHistoryEvents: [1, 1e9, true],
  },
  bruteForce: { windowMs: [MINUTE, DAY, true], minInvalid: [1, 1e9, true] },
  creditsLow: { percent: [0, 100, false], minRemaining: [0, 1e15, true] },
  keyExpiring: { withinDays: [1, 365, true] },
  keyUnused: { days: [1, 3650, true] },
};

const invalid = (field: string, why: string) => new KeywardError('VALIDATION', `${field} ${why}`, { field });

/**
 * A complete, checked policy from an input (defaults for what it leaves out). `VALIDATION`
 * naming the field (`<prefix>.trafficSpike.sigma`) when a value is out of range.
 */
export function resolvePolicy(input: MonitoringPolicyInput = {}, prefix = 'policy'): MonitoringPolicy {
  const sections = Object.keys(BOUNDS) as Array<
    Exclude<keyof MonitoringPolicy, 'quarantine' | 'leakedKeys' | 'clientExposure'>
  >;
  const out: Record<string, unknown> = {};
  for (const section of sections) {
    const given = (input[section] ?? {}) as Record<string, unknown>;
    const merged: Record<string, unknown> = { ...DEFAULT_MONITORING_POLICY[section] };
    for (const [field, value] of Object.entries(given)) {
      const at = `${prefix}.${section}.${field}`;
      if (field === 'enabled') {
        if (typeof value !== 'boolean') throw invalid(at, 'must be true or false');
      } else {
        const bounds = BOUNDS[section][field];
        if (bounds === undefined) throw invalid(at, 'is not a setting');
        const [min, max, integer] = bounds;
        if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
          throw invalid(at, `must be a number from ${min} to ${max}`);
        }
        if (integer && !Number.isInteger(value)) throw invalid(at, 'must be an integer');
      }
      merged[field] = value;
    }
    out[section] = merged;
  }
  const quarantine = [...new Set(input.quarantine ?? [])];
  quarantine.forEach((name, i) => {
    if (!(QUARANTINE_DETECTORS as readonly string[]).includes(name)) {
      throw invalid(`${prefix}.quarantine[${i}]`, `must be one of ${QUARANTINE_DETECTORS.join(', ')}`);
    }
  });
  out.quarantine = quarantine;
  const action = input.leakedKeys?.action ?? DEFAULT_MONITORING_POLICY.leakedKeys.action;
  if (!(LEAK_ACTIONS as readonly string[]).includes(action)) {
    throw invalid(`${prefix}.leakedKeys.action`, `must be one of ${LEAK_ACTIONS.join(', ')}`);
  }
  out.leakedKeys = { action };
  const exposure = input.clientExposure?.action ?? DEFAULT_MONITORING_POLICY.clientExposure.action;
  if (!(CLIENT_EXPOSURE_ACTIONS as readonly string[]).includes(exposure)) {
    throw invalid(`${prefix}.clientExposure.action`, `must be one of ${CLIENT_EXPOSURE_ACTIONS.join(', ')}`);
  }
  out.clientExposure = { action: exposure };
  const policy = out as unknown as MonitoringPolicy;
  if (policy.trafficSpike.windowMs % MINUTE !== 0) {
    throw invalid(`${prefix}.trafficSpike.windowMs`, 'must be whole minutes');
  }
  return policy;
}
