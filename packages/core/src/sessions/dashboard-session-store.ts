import { type SqlExecutor, tablesOf } from '../sql/sql-handle.js';
import type { DashboardSession, SessionEndReason } from './session-model.js';
import type { DashboardSessionRow, SessionDatabase } from './session-schema.js';

/**
 * Dashboard sessions by the digest of their cookie token. Expiry is the server's decision
 * (it knows the idle timeout); the store keeps the times and ends sessions on request.
 */
export interface DashboardSessionStore {
  /** Inserts the session; its digest is unique (a collision of 256-bit tokens does not happen). */
  create(session: DashboardSession): Promise<void>;
  /** The session whose token has this digest, ended or not; null when unknown. */
  findByDigest(digest: string): Promise<DashboardSession | null>;
  /** Moves `lastSeenAt` forward to `at` (never back). */
  touch(id: string, at: number): Promise<void>;
  /** Ends a live session; true when this call ended it, false when unknown or already ended. */
  end(id: string, at: number, reason: SessionEndReason): Promise<boolean>;
  /** Deletes sessions that expired or ended before `before`; returns how many. */
  prune(before: number): Promise<number>;
}

const num = (value: number | string): number => Number(value);
const numOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

const fromRow = (row: DashboardSessionRow): DashboardSession => ({
  id: row.id,
  digest: row.digest,
  workspaceId: row.workspace_id,
  rootKeyId: row.root_key_id,
  rootKeyDigest: row.root_key_digest,
  ip: row.ip,
  createdAt: num(row.created_at),
  lastSeenAt: num(row.last_seen_at),
  expiresAt: num(row.expires_at),
  endedAt: numOrNull(row.ended_at),
  endReason: row.end_reason as SessionEndReason | null,
});

export function createDashboardSessionStore(sql: SqlExecutor): DashboardSessionStore {
  const db = tablesOf<SessionDatabase>(sql);
  return {
    async create(session) {
      await db
        .insertInto('dashboard_sessions')
        .values({
          id: session.id,
          digest: session.digest,
          workspace_id: session.workspaceId,
          root_key_id: session.rootKeyId,
          root_key_digest: session.rootKeyDigest,
          ip: session.ip,
          created_at: session.createdAt,
          last_seen_at: session.lastSeenAt,
          expires_at: session.expiresAt,
          ended_at: session.endedAt,
          end_reason: session.endReason,
        })
        .execute();
    },
    async findByDigest(digest) {
      const rows = await db
        .selectFrom('dashboard_sessions')
        .selectAll()
        .where('digest', '=', digest)
        .execute();
      const row = rows[0];
      return row === undefined ? null : fromRow(row);
    },
    async touch(id, at) {
      await db
        .updateTable('dashboard_sessions')
        .set({ last_seen_at: at })
        .where('id', '=', id)
        .where('last_seen_at', '<', at)
        .execute();
    },
    async end(id, at, reason) {
      const ended = await db
        .updateTable('dashboard_sessions')
        .set({ ended_at: at, end_reason: reason })
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      return ended.numUpdatedRows > 0n;
    },
    async prune(before) {
      const pruned = await db
        .deleteFrom('dashboard_sessions')
        .where((eb) => eb.or([eb('expires_at', '<', before), eb('ended_at', '<', before)]))
        .executeTakeFirst();
      return Number(pruned.numDeletedRows);
    },
  };
}
