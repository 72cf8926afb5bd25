import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from './alert-model.js';
import { type DetectionSources, detectKeyStates, detectTraffic } from './collect.js';
import { createJobLock } from './job-lock.js';
import {
  type MonitoringBackend,
  monitoringBackends,
  newWorkspaceId,
  tenant,
  traffic,
  write,
} from './monitoring.fixtures.js';
import { resolvePolicy } from './policy.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The fixed clock: every run happens "now". */
const NOW = Date.UTC(2030, 0, 15, 12, 0, 30);
const policy = resolvePolicy({});

const subjects = (findings: readonly Finding[], detector: string) =>
  findings
    .filter((f) => f.detector === detector)
    .map((f) => f.subject.id)
    .sort();

for (const [name, open] of await monitoringBackends()) {
  describe(`monitoring on ${name}`, () => {
    let b: MonitoringBackend | null = null;
    afterEach(async () => {
      await b?.cleanup();
      b = null;
    });
    const sourcesOf = (backend: MonitoringBackend): DetectionSources => ({
      store: backend.store,
      credits: backend.store.credits,
      signals: backend.monitoring.signals,
    });

    it('finds spikes, spread, new networks and brute force in generated traffic, and nothing in normal traffic', async () => {
      b = await open();
      const { ws, addKey } = await tenant(b.store);
      const created = NOW - 30 * DAY;
      const [spiky, steady, leaked, moved, quiet] = await Promise.all(
        [1, 2, 3, 4, 5].map(() => addKey({ createdAt: created })),
      );
      if (!spiky || !steady || !leaked || !moved || !quiet) throw new Error('keys missing');
      const of = (k: { id: string }) => ({ workspaceId: ws.id, keyId: k.id });
      const dayAgo = NOW - DAY - HOUR;
      const lastFive = NOW - 5 * MINUTE - 30_000;
      await write(b.usage, [
        // Spiky: 60/h for a day, then 300 in the last five minutes (3600/h).
        ...traffic(of(spiky), dayAgo, DAY, 24 * 60),
        ...traffic(of(spiky), lastFive, 5 * MINUTE, 300),
        // Steady: 1200/h for a day and 100 in the last five minutes: its usual pace.
        ...traffic(of(steady), dayAgo, DAY, 24 * 1200),
        ...traffic(of(steady), lastFive, 5 * MINUTE, 100),
        // Leaked: 80 distinct addresses in ten minutes.
        ...traffic(of(leaked), NOW - 10 * MINUTE, 10 * MINUTE, 160, (i) => `198.51.100.${i % 80}`),
        // Moved: 200 calls from its own /24 over the past days, now from a network it never used.
        ...traffic(of(moved), NOW - 5 * DAY, 4 * DAY, 200, (i) => `192.0.2.${i % 5}`),
        ...traffic(of(moved), NOW - 5 * MINUTE, 5 * MINUTE, 3, () => '203.0.113.77'),
        // Quiet: the same addresses it always used.
        ...traffic(of(quiet), NOW - 5 * DAY, 4 * DAY, 200, (i) => `192.0.2.${i % 5}`),
        ...traffic(of(quiet), NOW - 5 * MINUTE, 5 * MINUTE, 30, () => '192.0.2.200'),
        // Brute force: 150 unknown keys from one address; 90 from another (below 100).
        ...traffic(
          { workspaceId: ws.id, keyId: null },
          NOW - 8 * MINUTE,
          8 * MINUTE,
          150,
          () => '203.0.113.66',
          'NOT_FOUND',
        ),
        ...traffic(
          { workspaceId: ws.id, keyId: null },
          NOW - 8 * MINUTE,
          8 * MINUTE,
          90,
          () => '203.0.113.67',
          'NOT_FOUND',
        ),
        // Unattributed unknown keys (no workspace) and another tenant's flood are not this workspace's.
        ...traffic(
          { workspaceId: null, keyId: null },
          NOW - 8 * MINUTE,
          8 * MINUTE,
          500,
          () => '203.0.113.68',
          'NOT_FOUND',
        ),
        ...traffic(
          { workspaceId: newWorkspaceId(), keyId: null },
          NOW - 8 * MINUTE,
          8 * MINUTE,
          500,
          () => '203.0.113.69',
          'NOT_FOUND',
        ),
      ]);

      const { detectors, findings } = await detectTraffic(sourcesOf(b), ws.id, policy, NOW);
      expect(detectors).toEqual(['traffic_spike', 'ip_spread', 'new_network', 'brute_force']);
      expect(subjects(findings, 'traffic_spike')).toEqual([spiky.id]);
      expect(subjects(findings, 'ip_spread')).toEqual([leaked.id]);
      expect(subjects(findings, 'new_network')).toEqual([moved.id]);
      expect(subjects(findings, 'brute_force')).toEqual(['203.0.113.66']);
      const spike = findings.find((f) => f.detector === 'traffic_spike');
      expect(spike?.evidence).toMatchObject({
        count: 300,
        ratePerHour: 3600,
        baselineHours: 24,
        baselineMeanPerHour: 60,
      });
      const moveEvidence = findings.find((f) => f.detector === 'new_network')?.evidence;
      expect(moveEvidence).toMatchObject({
        historyEvents: 200,
        newNetworks: [{ network: '203.0.113.0/24', ips: ['203.0.113.77'] }],
      });

      // Another workspace sees none of it.
      const other = await tenant(b.store);
      await expect(detectTraffic(sourcesOf(b), other.ws.id, policy, NOW)).resolves.toMatchObject({
        findings: [],
      });
      // Disabled detectors find nothing.
      const off = resolvePolicy({
        trafficSpike: { enabled: false },
        ipSpread: { enabled: false },
        newNetwork: { enabled: false },
        bruteForce: { enabled: false },
      });
      await expect(detectTraffic(sourcesOf(b), ws.id, off, NOW)).resolves.toMatchObject({ findings: [] });
    });

    it('finds low credits, expiring and unused keys from key state', async () => {
      b = await open();
      const { ws, addKey: add } = await tenant(b.store);
      const addKey: typeof add = (over = {}) => add({ createdAt: NOW - DAY, ...over });
      const monthly = { refill: { interval: 'monthly' as const, amount: 1000, day: 1 } };
      const low = await addKey({ credits: monthly });
      const plenty = await addKey({ credits: monthly });
      const expiring = await addKey({ expiresAt: NOW + 2 * DAY });
      const unused = await addKey({ createdAt: NOW - 200 * DAY });
      const used = await addKey({ createdAt: NOW - 200 * DAY });
      await addKey({ createdAt: NOW - 200 * DAY, revokedAt: NOW - DAY });
      await b.store.credits.set({ kind: 'key', id: low.id }, 50, monthly, NOW);
      await b.store.credits.set({ kind: 'key', id: plenty.id }, 500, monthly, NOW);
      await write(b.usage, traffic({ workspaceId: ws.id, keyId: used.id }, NOW - DAY, HOUR, 5));

      const { findings } = await detectKeyStates(sourcesOf(b), ws.id, policy, NOW);
      expect(subjects(findings, 'credits_low')).toEqual([low.id]);
      expect(subjects(findings, 'key_expiring')).toEqual([expiring.id]);
      expect(subjects(findings, 'key_unused')).toEqual([unused.id]);
      expect(findings.find((f) => f.detector === 'credits_low')?.evidence).toMatchObject({
        remaining: 50,
        threshold: 100,
      });
    });

    // The alert and policy stores themselves: testing/alert-store.conformance.ts.

    it('runs a job on one node per interval', async () => {
      b = await open();
      const locks = [createJobLock(b.sql), createJobLock(b.sql)];
      let runs = 0;
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const slow = async () => {
        runs++;
        await gate;
      };
      const first = locks[0]?.runExclusive('detect', MINUTE, NOW, slow);
      // While the first runs, the second node (and a second tick of the first) skip.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expect(locks[1]?.runExclusive('detect', MINUTE, NOW, slow)).resolves.toBe(false);
      await expect(locks[0]?.runExclusive('detect', MINUTE, NOW, slow)).resolves.toBe(false);
      release();
      await expect(first).resolves.toBe(true);
      // Ran just now: not due on any node; due again after (most of) an interval.
      await expect(locks[1]?.runExclusive('detect', MINUTE, NOW + 10_000, slow)).resolves.toBe(false);
      await expect(locks[1]?.runExclusive('detect', MINUTE, NOW + MINUTE, slow)).resolves.toBe(true);
      expect(runs).toBe(2);
    });
  });
}
