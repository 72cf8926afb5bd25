import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../keys/ids.js';
import type { Finding } from '../monitoring/alert-model.js';
import type { AlertStore } from '../monitoring/alert-store.js';
import { DEFAULT_MONITORING_POLICY, resolvePolicy } from '../monitoring/policy.js';
import type { PolicyStore } from '../monitoring/policy-store.js';
import type { SqlHandle } from '../sql/sql-handle.js';

const MINUTE = 60_000;
const NOW = Date.UTC(2030, 0, 15, 12, 0, 30);

/** What each test of the suite gets: fresh stores on one database. */
export interface AlertStoreUnderTest {
  alerts: AlertStore;
  policies: PolicyStore;
  /** The database's handle: `within` is checked inside a transaction of it. */
  sql: SqlHandle;
  /** More alert stores on the same database, as other nodes; empty where one process is all there is. */
  nodes: AlertStore[];
  cleanup(): Promise<void>;
}

const finding = (id: string, count: number, detector: Finding['detector'] = 'ip_spread'): Finding => ({
  detector,
  subject: { type: 'key', id },
  severity: 'warning',
  summary: 'spread',
  evidence: { distinctIps: count },
});

/**
 * The `AlertStore` and `PolicyStore` contracts as a vitest suite, run against every database
 * keyward supports (SQLite file and `:memory:`, PostgreSQL).
 *
 * @example describeAlertStoreConformance('sqlite :memory:', async () => ({ ...stores, cleanup }));
 */
export function describeAlertStoreConformance(
  name: string,
  factory: () => Promise<AlertStoreUnderTest>,
): void {
  describe(`AlertStore conformance: ${name}`, () => {
    let t: AlertStoreUnderTest;
    beforeEach(async () => {
      t = await factory();
    });
    afterEach(async () => {
      await t.cleanup();
    });

    it('keeps one active alert per detector and subject: raise, refresh, acknowledge, resolve', async () => {
      const { alerts } = t;
      const ws = newId('ws');
      const first = await alerts.sync(ws, ['ip_spread'], [finding('key_a', 60), finding('key_a', 61)], NOW);
      expect(first.raised).toHaveLength(1);
      const raised = first.raised[0];
      expect(raised).toMatchObject({ status: 'open', occurrences: 1, subject: { type: 'key', id: 'key_a' } });

      const second = await alerts.sync(ws, ['ip_spread'], [finding('key_a', 70)], NOW + MINUTE);
      expect(second.raised).toEqual([]);
      expect(second.refreshed).toEqual([
        expect.objectContaining({ id: raised?.id, occurrences: 2, evidence: { distinctIps: 70 } }),
      ]);

      const acked = await alerts.acknowledge(ws, raised?.id as string, 'rk_ops', NOW + 2 * MINUTE);
      expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'rk_ops' });
      // Acknowledging again changes nothing.
      await expect(
        alerts.acknowledge(ws, raised?.id as string, 'rk_other', NOW + 3 * MINUTE),
      ).resolves.toEqual(acked);
      // Acknowledged stays active: no new alert while the condition holds.
      await expect(
        alerts.sync(ws, ['ip_spread'], [finding('key_a', 80)], NOW + 3 * MINUTE),
      ).resolves.toMatchObject({ raised: [] });
      // A run of another detector leaves it alone.
      await expect(alerts.sync(ws, ['brute_force'], [], NOW + 4 * MINUTE)).resolves.toMatchObject({
        resolved: [],
      });

      const cleared = await alerts.sync(ws, ['ip_spread'], [], NOW + 5 * MINUTE);
      expect(cleared.resolved).toEqual([expect.objectContaining({ id: raised?.id, status: 'resolved' })]);
      const again = await alerts.sync(ws, ['ip_spread'], [finding('key_a', 90)], NOW + 6 * MINUTE);
      expect(again.raised).toHaveLength(1);
      expect(again.raised[0]?.id).not.toBe(raised?.id);
    });

    it('lists newest first, pages, filters, and keeps workspaces apart', async () => {
      const { alerts } = t;
      const ws = newId('ws');
      const older = (await alerts.sync(ws, ['ip_spread'], [finding('key_a', 1)], NOW)).raised[0];
      await alerts.sync(ws, ['ip_spread'], [], NOW + MINUTE);
      const newer = (await alerts.sync(ws, ['ip_spread'], [finding('key_b', 2)], NOW + 2 * MINUTE)).raised[0];
      const page = await alerts.list(ws, { limit: 1 });
      expect(page.items.map((a) => a.id)).toEqual([newer?.id]);
      const next = await alerts.list(ws, { limit: 1, cursor: page.nextCursor });
      expect(next.items.map((a) => a.id)).toEqual([older?.id]);
      expect(next.nextCursor).toBeNull();
      await expect(alerts.list(ws, { status: 'open' })).resolves.toMatchObject({
        items: [{ id: newer?.id }],
      });
      await expect(alerts.list(ws, { keyId: 'key_a' })).resolves.toMatchObject({
        items: [{ id: older?.id }],
      });
      await expect(alerts.list(ws, { detector: 'brute_force' })).resolves.toMatchObject({ items: [] });
      await expect(alerts.list(newId('ws'), {})).resolves.toMatchObject({ items: [] });
      await expect(alerts.get(newId('ws'), newer?.id as string)).resolves.toBeNull();
      await expect(alerts.acknowledge(newId('ws'), newer?.id as string, 'rk', NOW)).resolves.toBeNull();
    });

    it('records a quarantine on the alert', async () => {
      const ws = newId('ws');
      const [raised] = (await t.alerts.sync(ws, ['ip_spread'], [finding('key_q', 1)], NOW)).raised;
      await t.alerts.markQuarantined(ws, raised?.id as string, NOW + MINUTE);
      await expect(t.alerts.get(ws, raised?.id as string)).resolves.toMatchObject({
        quarantinedAt: NOW + MINUTE,
        updatedAt: NOW + MINUTE,
      });
    });

    it('raises an alert once when several nodes sync the same finding at once', async () => {
      const ws = newId('ws');
      const stores = [t.alerts, ...t.nodes, t.alerts];
      const results = await Promise.all(
        stores.map((store) => store.sync(ws, ['brute_force'], [finding('key_race', 1, 'brute_force')], NOW)),
      );
      expect(results.flatMap((r) => r.raised)).toHaveLength(1);
      // One alert; a node that found it already raised refreshed it instead.
      const { items } = await t.alerts.list(ws, {});
      expect(items).toHaveLength(1);
    });

    it('writes inside a transaction of the database: rolled back with it', async () => {
      const ws = newId('ws');
      const [raised] = (await t.alerts.sync(ws, ['ip_spread'], [finding('key_t', 1)], NOW)).raised;
      const custom = resolvePolicy({ quarantine: ['ip_spread'] });
      const rolledBack = t.sql.transaction(async (tx) => {
        await t.alerts.within(tx).acknowledge(ws, raised?.id as string, 'rk_ops', NOW + MINUTE);
        await t.policies.within(tx).put(ws, custom, NOW + MINUTE);
        throw new Error('roll back');
      });
      await expect(rolledBack).rejects.toThrow('roll back');
      await expect(t.alerts.get(ws, raised?.id as string)).resolves.toMatchObject({ status: 'open' });
      await expect(t.policies.get(ws)).resolves.toEqual(DEFAULT_MONITORING_POLICY);
      await t.sql.transaction(async (tx) => {
        await t.alerts.within(tx).acknowledge(ws, raised?.id as string, 'rk_ops', NOW + MINUTE);
      });
      await expect(t.alerts.get(ws, raised?.id as string)).resolves.toMatchObject({ status: 'acknowledged' });
    });

    it('stores a policy per workspace, completed with defaults', async () => {
      const ws = newId('ws');
      await expect(t.policies.get(ws)).resolves.toEqual(DEFAULT_MONITORING_POLICY);
      const custom = resolvePolicy({ ipSpread: { maxDistinctIps: 5 }, quarantine: ['ip_spread'] });
      await t.policies.put(ws, custom, NOW);
      await expect(t.policies.get(ws)).resolves.toEqual(custom);
      const replaced = resolvePolicy({ quarantine: [] });
      await t.policies.put(ws, replaced, NOW + MINUTE);
      await expect(t.policies.get(ws)).resolves.toEqual(replaced);
      await expect(t.policies.get(newId('ws'))).resolves.toEqual(DEFAULT_MONITORING_POLICY);
    });
  });
}
