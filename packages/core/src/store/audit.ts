import { sql } from 'kysely';
import { chainHash, GENESIS_HASH } from '../audit/chain-hash.js';
import { KeywardError } from '../contracts/errors.js';
import type { AuditEvent, Meta } from '../contracts/model.js';
import type { AuditStore, ChainedAuditEvent } from '../contracts/store.js';
import { fromJsonOrNull, toJsonOrNull, toMs } from './codec.js';
import { guardUnique } from './conflict.js';
import type { StoreContext } from './context.js';
import { pageBounds, toPage } from './pagination.js';
import type { AuditEventRow } from './schema.js';

type EventColumns = Omit<AuditEventRow, 'seq' | 'prev_hash' | 'hash'>;

const toRow = (event: AuditEvent): EventColumns => ({
  id: event.id,
  workspace_id: event.workspaceId,
  actor: event.actor,
  action: event.action,
  target_type: event.targetType,
  target_id: event.targetId,
  before_data: toJsonOrNull(event.before),
  after_data: toJsonOrNull(event.after),
  ip: event.ip,
  request_id: event.requestId,
  created_at: event.createdAt,
});

/** The event a row holds (chain columns aside); also used by the migration that backfills the chain. */
export const auditEventFromRow = (row: EventColumns): AuditEvent => ({
  id: row.id,
  workspaceId: row.workspace_id,
  actor: row.actor,
  action: row.action,
  targetType: row.target_type,
  targetId: row.target_id,
  before: fromJsonOrNull<Meta>(row.before_data),
  after: fromJsonOrNull<Meta>(row.after_data),
  ip: row.ip,
  requestId: row.request_id,
  createdAt: toMs(row.created_at),
});

const MAX_CHAIN_PAGE = 1000;

/**
 * Append-only: there is no update or delete. Pages run in id (= time) order, oldest
 * first. Each append is one transaction: create the workspace's chain head if missing,
 * bump its seq (the UPDATE locks the head row on PostgreSQL; on SQLite the first write
 * takes the database's write lock, before anything is read), insert the event with its
 * hash, store the new hash in the head. A unique index on (workspace_id, seq) makes a
 * fork impossible even if that locking were ever bypassed.
 */
export function createAuditStore({ db, transaction }: StoreContext): AuditStore {
  return {
    async append(event) {
      await guardUnique('audit event', () =>
        transaction(async (trx) => {
          const workspaceId = event.workspaceId;
          await trx
            .insertInto('audit_chain_heads')
            .values({ workspace_id: workspaceId, seq: 0, hash: GENESIS_HASH })
            .onConflict((oc) => oc.column('workspace_id').doNothing())
            .execute();
          const head = await trx
            .updateTable('audit_chain_heads')
            .set((eb) => ({ seq: eb('seq', '+', 1) }))
            .where('workspace_id', '=', workspaceId)
            .returning(['seq', 'hash'])
            .executeTakeFirst();
          if (head === undefined)
            throw new KeywardError('INTERNAL', 'audit chain head vanished during an append');
          const seq = toMs(head.seq);
          const hash = chainHash(head.hash, event, seq);
          await trx
            .insertInto('audit_events')
            .values({ ...toRow(event), seq, prev_hash: head.hash, hash })
            .execute();
          await trx
            .updateTable('audit_chain_heads')
            .set({ hash })
            .where('workspace_id', '=', workspaceId)
            .execute();
        }),
      );
    },

    async list(workspaceId, query) {
      const { limit, after } = pageBounds(query);
      const { action, actor, targetId, from, to } = query;
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .$if(action !== undefined, (qb) => qb.where('action', '=', action as string))
        .$if(actor !== undefined, (qb) => qb.where('actor', '=', actor as string))
        .$if(targetId !== undefined, (qb) => qb.where('target_id', '=', targetId as string))
        .$if(from !== undefined, (qb) => qb.where('created_at', '>=', from as number))
        .$if(to !== undefined, (qb) => qb.where('created_at', '<', to as number))
        .$if(after !== null, (qb) => qb.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(auditEventFromRow), limit);
    },

    async chain(workspaceId, afterSeq, limit) {
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_CHAIN_PAGE) {
        throw new KeywardError('VALIDATION', `limit must be an integer from 1 to ${MAX_CHAIN_PAGE}`, {
          field: 'limit',
        });
      }
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        // The first page has every row: those without a seq (or a seq below 1) come first, so a verifier sees them.
        .$if(afterSeq > 0, (qb) => qb.where('seq', '>', afterSeq))
        .orderBy(sql`seq asc nulls first`)
        .limit(limit)
        .execute();
      return rows.map(
        (row): ChainedAuditEvent => ({
          ...auditEventFromRow(row),
          seq: row.seq === null ? 0 : toMs(row.seq),
          prevHash: row.prev_hash ?? '',
          hash: row.hash ?? '',
        }),
      );
    },

    async head(workspaceId) {
      const row = await db
        .selectFrom('audit_chain_heads')
        .select(['seq', 'hash'])
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirst();
      return row === undefined ? null : { seq: toMs(row.seq), hash: row.hash };
    },
  };
}
