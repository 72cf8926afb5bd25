import type { RootKey } from '../contracts/model.js';
import type { RootKeyStore } from '../contracts/store.js';
import { fromJsonArray, toJson, toMs, toMsOrNull } from './codec.js';
import { guardUnique } from './conflict.js';
import type { StoreContext } from './context.js';
import { pageBounds, toPage } from './pagination.js';
import type { RootKeyRow } from './schema.js';

const toRow = (rootKey: RootKey): RootKeyRow => ({
  id: rootKey.id,
  workspace_id: rootKey.workspaceId,
  digest: rootKey.digest,
  hint: rootKey.hint,
  name: rootKey.name,
  permissions: toJson(rootKey.permissions),
  revoked_at: rootKey.revokedAt,
  created_at: rootKey.createdAt,
  updated_at: rootKey.updatedAt,
});

const fromRow = (row: RootKeyRow): RootKey => ({
  id: row.id,
  workspaceId: row.workspace_id,
  digest: row.digest,
  hint: row.hint,
  name: row.name,
  permissions: fromJsonArray<string>(row.permissions),
  revokedAt: toMsOrNull(row.revoked_at),
  createdAt: toMs(row.created_at),
  updatedAt: toMs(row.updated_at),
});

export function createRootKeyStore({ db }: StoreContext): RootKeyStore {
  const get: RootKeyStore['get'] = async (workspaceId, id) => {
    const row = await db
      .selectFrom('root_keys')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? null : fromRow(row);
  };

  return {
    async create(rootKey) {
      await guardUnique('root key', () => db.insertInto('root_keys').values(toRow(rootKey)).execute());
    },

    async findByDigest(digest) {
      const row = await db
        .selectFrom('root_keys')
        .selectAll()
        .where('digest', '=', digest)
        .executeTakeFirst();
      return row === undefined ? null : fromRow(row);
    },

    get,

    async list(workspaceId, query) {
      const { limit, after } = pageBounds(query);
      const rows = await db
        .selectFrom('root_keys')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .$if(after !== null, (qb) => qb.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(fromRow), limit);
    },

    async roll(workspaceId, id, next, now) {
      const row = await guardUnique('root key', () =>
        db
          .updateTable('root_keys')
          .set({ digest: next.digest, hint: next.hint, updated_at: now })
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst(),
      );
      return row === undefined ? null : fromRow(row);
    },

    async revoke(workspaceId, id, now) {
      const row = await db
        .updateTable('root_keys')
        .set({ revoked_at: now, updated_at: now })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      // Nothing updated: unknown, or revoked before (which keeps its first revokedAt).
      return row === undefined ? get(workspaceId, id) : fromRow(row);
    },
  };
}
