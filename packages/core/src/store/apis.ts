import type { Api } from '../contracts/model.js';
import type { ApiStore } from '../contracts/store.js';
import { toMs } from './codec.js';
import { guardUnique } from './conflict.js';
import type { StoreContext } from './context.js';
import { pageBounds, toPage } from './pagination.js';
import type { ApiRow } from './schema.js';

const toRow = (api: Api): ApiRow => ({
  id: api.id,
  workspace_id: api.workspaceId,
  name: api.name,
  prefix: api.prefix,
  created_at: api.createdAt,
  updated_at: api.updatedAt,
});

const fromRow = (row: ApiRow): Api => ({
  id: row.id,
  workspaceId: row.workspace_id,
  name: row.name,
  prefix: row.prefix,
  createdAt: toMs(row.created_at),
  updatedAt: toMs(row.updated_at),
});

/** The per-API policy tables (`/v1/apis/{id}/policies/...`): they go with their API. */
const API_POLICY_TABLES = [
  'api_lifetime_policies',
  'api_publishable_policies',
  'api_child_key_policies',
] as const;

export function createApiStore({ db, transaction }: StoreContext): ApiStore {
  return {
    async create(api) {
      await guardUnique('api', () => db.insertInto('apis').values(toRow(api)).execute());
    },

    async get(workspaceId, id) {
      const row = await db
        .selectFrom('apis')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? null : fromRow(row);
    },

    async list(workspaceId, query) {
      const { limit, after } = pageBounds(query);
      const rows = await db
        .selectFrom('apis')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .$if(after !== null, (qb) => qb.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(fromRow), limit);
    },

    async update(workspaceId, id, patch, now) {
      const row = await db
        .updateTable('apis')
        .set({
          ...(patch.name === undefined ? {} : { name: patch.name }),
          ...(patch.prefix === undefined ? {} : { prefix: patch.prefix }),
          updated_at: now,
        })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? null : fromRow(row);
    },

    async delete(workspaceId, id) {
      return transaction(async (trx) => {
        const keysOfApi = trx
          .selectFrom('keys')
          .select('id')
          .where('workspace_id', '=', workspaceId)
          .where('api_id', '=', id);
        // Explicit rather than relying on cascades: credits have no foreign key (their owner is polymorphic).
        await trx.deleteFrom('key_digests').where('key_id', 'in', keysOfApi).execute();
        await trx
          .deleteFrom('credits')
          .where('owner_kind', '=', 'key')
          .where('owner_id', 'in', keysOfApi)
          .execute();
        await trx
          .deleteFrom('keys')
          .where('workspace_id', '=', workspaceId)
          .where('api_id', '=', id)
          .execute();
        for (const policies of API_POLICY_TABLES) {
          await trx
            .deleteFrom(policies)
            .where('workspace_id', '=', workspaceId)
            .where('api_id', '=', id)
            .execute();
        }
        const deleted = await trx
          .deleteFrom('apis')
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', id)
          .returning('id')
          .executeTakeFirst();
        return deleted !== undefined;
      });
    },
  };
}
