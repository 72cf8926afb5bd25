import { describe, expect, it } from 'vitest';
import { DEFAULT_MONITORING_POLICY } from '../policy.js';
import { detectBruteForce } from './brute-force.js';
import { detectCreditsLow } from './credits-low.js';
import { detectExpiringKeys, type KeyState } from './key-expiring.js';
import { detectUnusedKeys } from './key-unused.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2030, 5, 1);
const policy = DEFAULT_MONITORING_POLICY;

const keyState = (over: Partial<KeyState> = {}): KeyState => ({
  id: 'key_a',
  enabled: true,
  createdAt: NOW - 365 * DAY,
  expiresAt: null,
  revokedAt: null,
  ...over,
});

describe('brute force detector', () => {
  const window = { from: NOW - 600_000, to: NOW, workspaceId: 'ws_1' };

  it('raises per address with at least minInvalid unknown keys, the address only in the evidence', () => {
    const rows = [
      { ip: '203.0.113.66', count: 150, firstAt: NOW - 500_000, lastAt: NOW - 1000 },
      { ip: '192.0.2.1', count: 99, firstAt: NOW - 500_000, lastAt: NOW - 1000 },
      { ip: '2001:db8::bad', count: 1000, firstAt: NOW - 500_000, lastAt: NOW - 1000 },
    ];
    const findings = detectBruteForce(rows, policy.bruteForce, window);
    expect(findings.map((f) => [f.subject, f.severity])).toEqual([
      [{ type: 'ip', id: '203.0.113.66' }, 'warning'],
      [{ type: 'ip', id: '2001:db8::bad' }, 'critical'],
    ]);
    expect(findings[0]?.evidence).toMatchObject({ ip: '203.0.113.66', attempts: 150, minInvalid: 100 });
    for (const finding of findings) expect(finding.summary).not.toContain(finding.subject.id);
  });

  it('counts unknown keys without an address against the workspace', () => {
    const rows = [{ ip: null, count: 2000, firstAt: NOW - 500_000, lastAt: NOW - 1000 }];
    const [finding] = detectBruteForce(rows, policy.bruteForce, window);
    expect(finding).toMatchObject({
      subject: { type: 'workspace', id: 'ws_1' },
      severity: 'critical',
      evidence: { ip: null, attempts: 2000 },
    });
  });

  it('stays quiet below the threshold', () => {
    expect(
      detectBruteForce([{ ip: '192.0.2.1', count: 99, firstAt: 0, lastAt: 0 }], policy.bruteForce, window),
    ).toEqual([]);
  });
});

describe('credits low detector', () => {
  const monthly = { refill: { interval: 'monthly' as const, amount: 1000, day: 1 } };

  it('raises at or below percent of the refill amount, critical when exhausted', () => {
    const findings = detectCreditsLow(
      [
        { owner: { kind: 'key', id: 'key_a' }, remaining: 100, config: monthly },
        { owner: { kind: 'key', id: 'key_b' }, remaining: 101, config: monthly },
        { owner: { kind: 'consumer', id: 'con_c' }, remaining: 0, config: monthly },
      ],
      policy.creditsLow,
    );
    expect(findings.map((f) => [f.subject, f.severity, f.evidence.threshold])).toEqual([
      [{ type: 'key', id: 'key_a' }, 'warning', 100],
      [{ type: 'consumer', id: 'con_c' }, 'critical', 100],
    ]);
  });

  it('uses minRemaining without a refill (or when it is higher)', () => {
    const noRefill = { refill: null };
    const tiny = { refill: { interval: 'daily' as const, amount: 20 } };
    const findings = detectCreditsLow(
      [
        { owner: { kind: 'key', id: 'key_a' }, remaining: 10, config: noRefill },
        { owner: { kind: 'key', id: 'key_b' }, remaining: 11, config: null },
        { owner: { kind: 'key', id: 'key_c' }, remaining: 9, config: tiny },
      ],
      policy.creditsLow,
    );
    expect(findings.map((f) => f.subject.id)).toEqual(['key_a', 'key_c']);
  });
});

describe('key expiring detector', () => {
  it('raises for live keys expiring within the window; under a day is a warning', () => {
    const keys = [
      keyState({ id: 'key_soon', expiresAt: NOW + 3 * DAY }),
      keyState({ id: 'key_hours', expiresAt: NOW + 3_600_000 }),
      keyState({ id: 'key_later', expiresAt: NOW + 8 * DAY }),
      keyState({ id: 'key_gone', expiresAt: NOW - 1 }),
      keyState({ id: 'key_revoked', expiresAt: NOW + DAY, revokedAt: NOW - DAY }),
      keyState({ id: 'key_forever' }),
    ];
    const findings = detectExpiringKeys(keys, policy.keyExpiring, NOW);
    expect(findings.map((f) => [f.subject.id, f.severity, f.evidence.daysLeft])).toEqual([
      ['key_soon', 'info', 3],
      ['key_hours', 'warning', 0],
    ]);
  });
});

describe('key unused detector', () => {
  it('raises for enabled live keys idle (or never used) for N days', () => {
    const keys = [
      keyState({ id: 'key_idle' }),
      keyState({ id: 'key_never' }),
      keyState({ id: 'key_busy' }),
      keyState({ id: 'key_new', createdAt: NOW - 10 * DAY }),
      keyState({ id: 'key_disabled', enabled: false }),
      keyState({ id: 'key_revoked', revokedAt: NOW - DAY }),
      keyState({ id: 'key_expired', expiresAt: NOW - DAY }),
    ];
    const lastUsed = new Map([
      ['key_idle', NOW - 91 * DAY],
      ['key_busy', NOW - 89 * DAY],
    ]);
    const findings = detectUnusedKeys(keys, lastUsed, policy.keyUnused, NOW);
    expect(findings.map((f) => [f.subject.id, f.evidence.lastUsedAt, f.evidence.idleDays])).toEqual([
      ['key_idle', NOW - 91 * DAY, 91],
      ['key_never', null, 365],
    ]);
  });
});
