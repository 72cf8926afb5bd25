import { type SqlExecutor, tablesOf } from '../sql/sql-handle.js';
import type { PortalSession, PortalToken } from './session-model.js';
import type { PortalSessionRow, PortalTokenRow, SessionDatabase } from './session-schema.js';

/** Portal links (single-use tokens) and the customer sessions they open, by token digest. */
export interface PortalAccessStore {
  createToken(token: PortalToken): Promise<void>;
  /**
   * Marks the token used and returns it when it is unused and unexpired at `now`; null
   * otherwise. One conditional update: of concurrent redeems of one token, exactly one wins.
   */
  redeemToken(digest: string, now: number): Promise<PortalToken | null>;
  createSession(session: PortalSession): Promise<void>;
  /** The session whose token has this digest, ended or not; null when unknown. */
  findSession(digest: string): Promise<PortalSession | null>;
  /** Ends a live session; true when this call ended it. */
  endSession(id: string, at: number): Promise<boolean>;
  /** Deletes tokens and sessions that expired or ended before `before`; returns how many. */
  prune(before: number): Promise<number>;
}

const num = (value: number | string): number => Number(value);
const numOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

const tokenFromRow = (row: PortalTokenRow): PortalToken => ({
  digest: row.digest,
  workspaceId: row.workspace_id,
  consumerId: row.consumer_id,
  returnUrl: row.return_url,
  sessionTtlMs: num(row.session_ttl_ms),
  createdBy: row.created_by,
  createdAt: num(row.created_at),
  expiresAt: num(row.expires_at),
  usedAt: numOrNull(row.used_at),
});

const sessionFromRow = (row: PortalSessionRow): PortalSession => ({
  id: row.id,
  digest: row.digest,
  workspaceId: row.workspace_id,
  consumerId: row.consumer_id,
  returnUrl: row.return_url,
  createdAt: num(row.created_at),
  expiresAt: num(row.expires_at),
  endedAt: numOrNull(row.ended_at),
});

export function createPortalAccessStore(sql: SqlExecutor): PortalAccessStore {
  const db = tablesOf<SessionDatabase>(sql);
  return {
    async createToken(token) {
      await db
        .insertInto('portal_tokens')
        .values({
          digest: token.digest,
          workspace_id: token.workspaceId,
          consumer_id: token.consumerId,
          return_url: token.returnUrl,
          session_ttl_ms: token.sessionTtlMs,
          created_by: token.createdBy,
          created_at: token.createdAt,
          expires_at: token.expiresAt,
          used_at: token.usedAt,
        })
        .execute();
    },
    async redeemToken(digest, now) {
      const rows = await db
        .updateTable('portal_tokens')
        .set({ used_at: now })
        .where('digest', '=', digest)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returningAll()
        .execute();
      const row = rows[0];
      return row === undefined ? null : tokenFromRow(row);
    },
    async createSession(session) {
      await db
        .insertInto('portal_sessions')
        .values({
          id: session.id,
          digest: session.digest,
          workspace_id: session.workspaceId,
          consumer_id: session.consumerId,
          return_url: session.returnUrl,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
          ended_at: session.endedAt,
        })
        .execute();
    },
    async findSession(digest) {
      const rows = await db.selectFrom('portal_sessions').selectAll().where('digest', '=', digest).execute();
      const row = rows[0];
      return row === undefined ? null : sessionFromRow(row);
    },
    async endSession(id, at) {
      const ended = await db
        .updateTable('portal_sessions')
        .set({ ended_at: at })
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      return ended.numUpdatedRows > 0n;
    },
    async prune(before) {
      const tokens = await db.deleteFrom('portal_tokens').where('expires_at', '<', before).executeTakeFirst();
      const sessions = await db
        .deleteFrom('portal_sessions')
        .where((eb) => eb.or([eb('expires_at', '<', before), eb('ended_at', '<', before)]))
        .executeTakeFirst();
      return Number(tokens.numDeletedRows) + Number(sessions.numDeletedRows);
    },
  };
}
