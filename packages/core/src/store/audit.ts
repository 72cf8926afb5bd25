import type { AuditEvent, Meta } from '../model.js';
import type { AuditStore } from '../store.js';
import { fromJsonOrNull, toJsonOrNull, toMs } from './codec.js';
import { guardUnique } from './conflict.js';
import type { StoreContext } from './context.js';
import { pageBounds, toPage } from './pagination.js';
import type { AuditEventRow } from './schema.js';

const toRow = (event: AuditEvent): AuditEventRow => ({
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

const fromRow = (row: AuditEventRow): AuditEvent => ({
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

/** Append-only: there is no update or delete. Pages run in id (= time) order, oldest first. */
export function createAuditStore({ db }: StoreContext): AuditStore {
  return {
    async append(event) {
      await guardUnique('audit event', () => db.insertInto('audit_events').values(toRow(event)).execute());
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
      return toPage(rows.map(fromRow), limit);
    },
  };
}
