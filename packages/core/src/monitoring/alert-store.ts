import type { Page, PageQuery } from '../contracts/store.js';
import { newId } from '../keys/ids.js';
import { type SqlExecutor, tablesOf } from '../sql/sql-handle.js';
import { pageBounds, toPage } from '../store/pagination.js';
import type { Alert, AlertStatus, AlertSubject, DetectorName, Finding } from './alert-model.js';
import type { AlertRow, MonitoringDatabase } from './monitoring-schema.js';

export interface AlertQuery extends PageQuery {
  status?: AlertStatus;
  detector?: DetectorName;
  /** Alerts about this key. */
  keyId?: string;
}

/** What one `sync` changed. */
export interface AlertSync {
  /** New alerts (no active alert for their detector and subject existed). */
  raised: Alert[];
  /** Active alerts still found (evidence refreshed). */
  refreshed: Alert[];
  /** Active alerts no longer found. */
  resolved: Alert[];
}

/** Alerts of every workspace. Reads take the workspace and never return another's. */
export interface AlertStore {
  /**
   * Applies one detection run of `detectors` in a workspace: each finding refreshes the
   * active alert of its detector and subject, or raises a new one; active alerts of those
   * detectors that no finding matches are resolved. Concurrent runs cannot raise the same
   * alert twice (a unique index on the active alert's identity).
   */
  sync(
    workspaceId: string,
    detectors: readonly DetectorName[],
    findings: readonly Finding[],
    now: number,
  ): Promise<AlertSync>;
  get(workspaceId: string, id: string): Promise<Alert | null>;
  /** Newest first. */
  list(workspaceId: string, query: AlertQuery): Promise<Page<Alert>>;
  /** Open → acknowledged (by a root key id); an acknowledged or resolved alert is returned unchanged; null if unknown. */
  acknowledge(workspaceId: string, id: string, by: string, now: number): Promise<Alert | null>;
  /** Records that the policy quarantined the alert's key. */
  markQuarantined(workspaceId: string, id: string, now: number): Promise<void>;
  /**
   * Raises one finding outside a detection run (a leak report): refreshes the active alert
   * of its detector and subject (`raised: false`), or raises a new one (`raised: true`).
   * Never resolves anything.
   */
  raise(workspaceId: string, finding: Finding, now: number): Promise<{ alert: Alert; raised: boolean }>;
  /** The same store inside a transaction of the database (`StoreTransaction.sql`). */
  within(tx: SqlExecutor): AlertStore;
}

const activeKey = (workspaceId: string, detector: string, subject: AlertSubject): string =>
  `${workspaceId}|${detector}|${subject.type}|${subject.id}`;

const num = (value: number | string): number => Number(value);
const numOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

export const alertFromRow = (row: AlertRow): Alert => ({
  id: row.id,
  workspaceId: row.workspace_id,
  detector: row.detector as DetectorName,
  subject: { type: row.subject_type, id: row.subject_id } as AlertSubject,
  severity: row.severity as Alert['severity'],
  summary: row.summary,
  evidence: JSON.parse(row.evidence) as Record<string, unknown>,
  status: row.status as AlertStatus,
  occurrences: num(row.occurrences),
  quarantinedAt: numOrNull(row.quarantined_at),
  createdAt: num(row.created_at),
  updatedAt: num(row.updated_at),
  acknowledgedAt: numOrNull(row.acknowledged_at),
  acknowledgedBy: row.acknowledged_by,
  resolvedAt: numOrNull(row.resolved_at),
});

/** An `AlertStore` on the database's handle, or a transaction on it (see `createMonitoringStores`). */
export function createAlertStore(sql: SqlExecutor): AlertStore {
  const db = tablesOf<MonitoringDatabase>(sql);

  const get = async (workspaceId: string, id: string): Promise<Alert | null> => {
    const rows = await db
      .selectFrom('alerts')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
    return rows[0] === undefined ? null : alertFromRow(rows[0]);
  };

  const refresh = async (key: string, finding: Finding, now: number): Promise<Alert | null> => {
    const rows = await db
      .updateTable('alerts')
      .set((eb) => ({
        severity: finding.severity,
        summary: finding.summary,
        evidence: JSON.stringify(finding.evidence),
        occurrences: eb('occurrences', '+', 1),
        updated_at: now,
      }))
      .where('active_key', '=', key)
      .returningAll()
      .execute();
    return rows[0] === undefined ? null : alertFromRow(rows[0]);
  };

  const insert = async (
    workspaceId: string,
    key: string,
    finding: Finding,
    now: number,
  ): Promise<Alert | null> => {
    const row: AlertRow = {
      id: newId('alert'),
      workspace_id: workspaceId,
      detector: finding.detector,
      subject_type: finding.subject.type,
      subject_id: finding.subject.id,
      severity: finding.severity,
      summary: finding.summary,
      evidence: JSON.stringify(finding.evidence),
      status: 'open',
      active_key: key,
      occurrences: 1,
      quarantined_at: null,
      created_at: now,
      updated_at: now,
      acknowledged_at: null,
      acknowledged_by: null,
      resolved_at: null,
    };
    // Another node may have raised it a moment ago: then nothing is inserted and it is not ours to announce.
    const rows = await db
      .insertInto('alerts')
      .values(row)
      .onConflict((oc) => oc.column('active_key').doNothing())
      .returningAll()
      .execute();
    return rows[0] === undefined ? null : alertFromRow(rows[0]);
  };

  return {
    async raise(workspaceId, finding, now) {
      const key = activeKey(workspaceId, finding.detector, finding.subject);
      const raised = await insert(workspaceId, key, finding, now);
      if (raised !== null) return { alert: raised, raised: true };
      const refreshed = await refresh(key, finding, now);
      // Resolved between the two statements: raise it afresh.
      if (refreshed === null) return this.raise(workspaceId, finding, now);
      return { alert: refreshed, raised: false };
    },
    within: (tx) => createAlertStore(tx),

    async sync(workspaceId, detectors, findings, now) {
      const result: AlertSync = { raised: [], refreshed: [], resolved: [] };
      if (detectors.length === 0) return result;
      const active = await db
        .selectFrom('alerts')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('detector', 'in', [...detectors])
        .where('active_key', 'is not', null)
        .execute();
      const byKey = new Map(active.map((row) => [row.active_key as string, row]));
      const seen = new Set<string>();
      for (const finding of findings) {
        const key = activeKey(workspaceId, finding.detector, finding.subject);
        if (seen.has(key)) continue;
        seen.add(key);
        const existing = byKey.get(key);
        if (existing !== undefined) {
          const refreshed = await refresh(key, finding, now);
          if (refreshed !== null) result.refreshed.push(refreshed);
          continue;
        }
        const raised = await insert(workspaceId, key, finding, now);
        if (raised !== null) result.raised.push(raised);
      }
      for (const [key, row] of byKey) {
        if (seen.has(key)) continue;
        const rows = await db
          .updateTable('alerts')
          .set({ status: 'resolved', active_key: null, resolved_at: now, updated_at: now })
          .where('id', '=', row.id)
          .where('active_key', '=', key)
          .returningAll()
          .execute();
        if (rows[0] !== undefined) result.resolved.push(alertFromRow(rows[0]));
      }
      return result;
    },

    get,

    async list(workspaceId, query) {
      const { limit, after } = pageBounds(query);
      const { status, detector, keyId } = query;
      const rows = await db
        .selectFrom('alerts')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .$if(status !== undefined, (qb) => qb.where('status', '=', status as string))
        .$if(detector !== undefined, (qb) => qb.where('detector', '=', detector as string))
        .$if(keyId !== undefined, (qb) =>
          qb.where('subject_type', '=', 'key').where('subject_id', '=', keyId as string),
        )
        .$if(after !== null, (qb) => qb.where('id', '<', after as string))
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(alertFromRow), limit);
    },

    async acknowledge(workspaceId, id, by, now) {
      await db
        .updateTable('alerts')
        .set({ status: 'acknowledged', acknowledged_at: now, acknowledged_by: by, updated_at: now })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('status', '=', 'open')
        .execute();
      return get(workspaceId, id);
    },

    async markQuarantined(workspaceId, id, now) {
      await db
        .updateTable('alerts')
        .set({ quarantined_at: now, updated_at: now })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
    },
  };
}
