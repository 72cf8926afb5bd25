import type { Meta } from '../contracts/model.js';
import type { IdempotencyStore } from '../contracts/store.js';
import { fromJson, toJson } from './codec.js';
import type { StoreContext } from './context.js';

/** How long a stored reply answers repeats of its `Idempotency-Key` (as Stripe). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Replies stored once per (workspace, key). Expired rows are ignored by `get` and deleted
 * lazily by the next `put` (one range delete on the `created_at` index), so a key may be
 * reused after 24 h.
 */
export function createIdempotencyStore({ db }: StoreContext): IdempotencyStore {
  return {
    async get(workspaceId, key, now = Date.now()) {
      const row = await db
        .selectFrom('idempotency')
        .select(['fingerprint', 'status', 'body'])
        .where('workspace_id', '=', workspaceId)
        .where('idempotency_key', '=', key)
        .where('created_at', '>', now - IDEMPOTENCY_TTL_MS)
        .executeTakeFirst();
      if (row === undefined) return null;
      return { fingerprint: row.fingerprint, status: Number(row.status), body: fromJson<Meta>(row.body) };
    },

    async put(workspaceId, key, reply, now) {
      await db
        .deleteFrom('idempotency')
        .where('created_at', '<=', now - IDEMPOTENCY_TTL_MS)
        .execute();
      const inserted = await db
        .insertInto('idempotency')
        .values({
          workspace_id: workspaceId,
          idempotency_key: key,
          fingerprint: reply.fingerprint,
          status: reply.status,
          body: toJson(reply.body),
          created_at: now,
        })
        .onConflict((oc) => oc.columns(['workspace_id', 'idempotency_key']).doNothing())
        .returning('workspace_id')
        .executeTakeFirst();
      return inserted !== undefined;
    },
  };
}
