import { bucketStart } from '../../usage/granularity.js';
import type { Finding } from '../alert-model.js';
import type { TrafficSpikeConfig } from '../policy.js';
import { meanAndStdDev, round2 } from '../stats.js';

const HOUR = 3_600_000;

/** The windows a traffic-spike run compares: recent whole minutes, and whole hours before them. */
export interface TrafficWindows {
  recentFrom: number;
  recentTo: number;
  baselineFrom: number;
  baselineTo: number;
}

/** Recent window = the last `windowMs` of completed minutes; baseline = `baselineHours` whole hours before it. */
export function trafficWindows(config: TrafficSpikeConfig, now: number): TrafficWindows {
  const recentTo = bucketStart(now, 'minute');
  const recentFrom = recentTo - config.windowMs;
  const baselineTo = bucketStart(recentFrom, 'hour');
  return { recentFrom, recentTo, baselineFrom: baselineTo - config.baselineHours * HOUR, baselineTo };
}

export interface KeyTraffic {
  keyId: string;
  /** When the key was created: baseline hours before it do not count. */
  createdAt: number;
  /** Verifications in the recent window. */
  recent: number;
  /** Verifications per baseline hour (hour start → count); hours without traffic are absent. */
  hourly: ReadonlyMap<number, number>;
}

/**
 * A key whose recent rate (per hour) exceeds its baseline's hourly mean + k·σ, with at
 * least `minCount` verifications in the window. σ is at least √mean (Poisson noise), so
 * a perfectly flat baseline does not alert on ordinary jitter; a key that was silent
 * (mean 0) alerts once its window reaches `minCount`. Keys younger than
 * `minBaselineHours` whole hours have no baseline and never alert.
 */
export function detectTrafficSpikes(
  keys: readonly KeyTraffic[],
  config: TrafficSpikeConfig,
  windows: TrafficWindows,
): Finding[] {
  if (!config.enabled) return [];
  const findings: Finding[] = [];
  for (const key of keys) {
    if (key.recent < config.minCount) continue;
    const firstHour = Math.max(windows.baselineFrom, bucketStart(key.createdAt + HOUR - 1, 'hour'));
    const hours: number[] = [];
    for (let hour = firstHour; hour < windows.baselineTo; hour += HOUR) hours.push(key.hourly.get(hour) ?? 0);
    if (hours.length < config.minBaselineHours) continue;
    const { mean, stdDev } = meanAndStdDev(hours);
    const threshold = mean + config.sigma * Math.max(stdDev, Math.sqrt(mean));
    const ratePerHour = (key.recent * HOUR) / (windows.recentTo - windows.recentFrom);
    if (ratePerHour <= threshold) continue;
    const factor = mean > 0 ? ratePerHour / mean : null;
    findings.push({
      detector: 'traffic_spike',
      subject: { type: 'key', id: key.keyId },
      severity: ratePerHour > 10 * Math.max(threshold, 1) ? 'critical' : 'warning',
      summary:
        factor === null
          ? `${key.recent} verifications in ${(windows.recentTo - windows.recentFrom) / 60_000} min from a key that was idle`
          : `verifications at ${round2(factor)}x the key's hourly average`,
      evidence: {
        windowFrom: windows.recentFrom,
        windowTo: windows.recentTo,
        count: key.recent,
        ratePerHour: round2(ratePerHour),
        baselineFrom: firstHour,
        baselineTo: windows.baselineTo,
        baselineHours: hours.length,
        baselineMeanPerHour: round2(mean),
        baselineStdDev: round2(stdDev),
        sigma: config.sigma,
        threshold: round2(threshold),
      },
    });
  }
  return findings;
}
