import { describe, expect, it } from 'vitest';
import { DEFAULT_MONITORING_POLICY } from '../policy.js';
import { detectTrafficSpikes, type KeyTraffic, trafficWindows } from './traffic-spike.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2030, 0, 10, 12, 7, 30);
const config = DEFAULT_MONITORING_POLICY.trafficSpike;
const windows = trafficWindows(config, NOW);

/** A key with `perHour(i)` verifications in each baseline hour i (0 = oldest) and `recent` in the window. */
function key(recent: number, perHour: (i: number) => number, createdAt = NOW - 30 * 24 * HOUR): KeyTraffic {
  const hourly = new Map<number, number>();
  for (let hour = windows.baselineFrom, i = 0; hour < windows.baselineTo; hour += HOUR, i++) {
    const count = perHour(i);
    if (count > 0) hourly.set(hour, count);
  }
  return { keyId: 'key_a', createdAt, recent, hourly };
}

describe('traffic spike detector', () => {
  it('compares whole minutes with whole hours before them', () => {
    expect(windows).toEqual({
      recentTo: Date.UTC(2030, 0, 10, 12, 7),
      recentFrom: Date.UTC(2030, 0, 10, 12, 2),
      baselineTo: Date.UTC(2030, 0, 10, 12),
      baselineFrom: Date.UTC(2030, 0, 9, 12),
    });
  });

  it('raises for traffic far above the key baseline, with the numbers', () => {
    // ~1200/h baseline with jitter; 5 minutes at 9000/h.
    const findings = detectTrafficSpikes([key(750, (i) => 1200 + ((i * 37) % 100))], config, windows);
    expect(findings).toEqual([
      expect.objectContaining({
        detector: 'traffic_spike',
        subject: { type: 'key', id: 'key_a' },
        severity: 'warning',
        evidence: expect.objectContaining({ count: 750, ratePerHour: 9000, baselineHours: 24, sigma: 4 }),
      }),
    ]);
    const evidence = findings[0]?.evidence as { baselineMeanPerHour: number; threshold: number };
    expect(evidence.baselineMeanPerHour).toBeGreaterThan(1200);
    expect(evidence.threshold).toBeLessThan(9000);
  });

  it('stays quiet for traffic within the baseline noise', () => {
    // Same baseline; the window runs at 1300/h (≈108 in 5 min).
    expect(detectTrafficSpikes([key(108, (i) => 1200 + ((i * 37) % 100))], config, windows)).toEqual([]);
  });

  it('does not alert on jitter above a perfectly flat baseline (sigma floor = sqrt(mean))', () => {
    // Flat 1200/h: σ = 0; sqrt(1200)≈34.6 → threshold ≈ 1338/h; 1320/h (110 in 5 min) stays quiet.
    expect(detectTrafficSpikes([key(110, () => 1200)], config, windows)).toEqual([]);
    expect(detectTrafficSpikes([key(120, () => 1200)], config, windows)).toHaveLength(1);
  });

  it('needs minCount in the window: a quiet key doubling is no incident', () => {
    expect(detectTrafficSpikes([key(20, () => 10)], config, windows)).toEqual([]);
  });

  it('raises when an idle key suddenly carries minCount', () => {
    const [finding] = detectTrafficSpikes([key(100, () => 0)], config, windows);
    expect(finding?.summary).toContain('idle');
  });

  it('ignores keys too young to have a baseline, counting only the hours after creation', () => {
    const young = key(500, () => 0, windows.baselineTo - 3 * HOUR - 1);
    expect(detectTrafficSpikes([young], config, windows)).toEqual([]);
    const old = key(500, () => 0, windows.baselineTo - 6 * HOUR);
    expect(detectTrafficSpikes([old], config, windows)[0]?.evidence).toMatchObject({ baselineHours: 6 });
  });

  it('does nothing when disabled', () => {
    expect(detectTrafficSpikes([key(5000, () => 1)], { ...config, enabled: false }, windows)).toEqual([]);
  });
});
