import type { Consumer, CreditsConfig, Meta, RateLimitConfig } from '../contracts/model.js';
import type { ConsumerStore } from '../contracts/store.js';
import { fromJsonArray, fromJsonOrNull, toJson, toJsonOrNull, toMs } from './codec.js';
import { guardUnique } from './conflict.js';
import type { StoreContext } from './context.js';
import { pageBounds, toPage } from './pagination.js';
import type { ConsumerRow } from './schema.js';

const toRow = (consumer: Consumer): ConsumerRow => ({
  id: consumer.id,
  workspace_id: consumer.workspaceId,
  external_id: consumer.externalId,
  name: consumer.name,
  meta: toJsonOrNull(consumer.meta),
  ratelimits: toJson(consumer.ratelimits),
  credits: toJsonOrNull(consumer.credits),
  created_at: consumer.createdAt,
  updated_at: consumer.updatedAt,
});

const fromRow = (row: ConsumerRow): Consumer => ({
  id: row.id,
  workspaceId: row.workspace_id,
  externalId: row.external_id,
  name: row.name,
  meta: fromJsonOrNull<Meta>(row.meta),
  ratelimits: fromJsonArray<RateLimitConfig>(row.ratelimits),
  credits: fromJsonOrNull<CreditsConfig>(row.credits),
  createdAt: toMs(row.created_at),
  updatedAt: toMs(row.updated_at),
});

export function createConsumerStore({ db, transaction }: StoreContext): ConsumerStore {
  const byId = (workspaceId: string, id: string) =>
    db.selectFrom('consumers').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id);

  return {
    async create(consumer) {
      await guardUnique('consumer', () => db.insertInto('consumers').values(toRow(consumer)).execute());
    },

    async get(workspaceId, id) {
      const row = await byId(workspaceId, id).executeTakeFirst();
      return row === undefined ? null : fromRow(row);
    },

    async getByExternalId(workspaceId, externalId) {
      const row = await db
        .selectFrom('consumers')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      return row === undefined ? null : fromRow(row);
    },

    async list(workspaceId, query) {
      const { limit, after } = pageBounds(query);
      const rows = await db
        .selectFrom('consumers')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .$if(after !== null, (qb) => qb.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(fromRow), limit);
    },

    async update(workspaceId, id, patch, now) {
      const row = await guardUnique('consumer', () =>
        db
          .updateTable('consumers')
          .set({
            ...(patch.externalId === undefined ? {} : { external_id: patch.externalId }),
            ...(patch.name === undefined ? {} : { name: patch.name }),
            ...(patch.meta === undefined ? {} : { meta: toJsonOrNull(patch.meta) }),
            ...(patch.ratelimits === undefined ? {} : { ratelimits: toJson(patch.ratelimits) }),
            ...(patch.credits === undefined ? {} : { credits: toJsonOrNull(patch.credits) }),
            updated_at: now,
          })
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst(),
      );
      return row === undefined ? null : fromRow(row);
    },

    async delete(workspaceId, id) {
      return transaction(async (trx) => {
        // Explicit as well as `on delete set null`, so that it holds whatever the foreign-key pragma says.
        await trx
          .updateTable('keys')
          .set({ consumer_id: null })
          .where('workspace_id', '=', workspaceId)
          .where('consumer_id', '=', id)
          .execute();
        const deleted = await trx
          .deleteFrom('consumers')
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', id)
          .returning('id')
          .executeTakeFirst();
        if (deleted === undefined) return false;
        await trx
          .deleteFrom('credits')
          .where('owner_kind', '=', 'consumer')
          .where('owner_id', '=', id)
          .execute();
        return true;
      });
    },
  };
}
