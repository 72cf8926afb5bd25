import type { Role } from '../contracts/model.js';
import type { RoleStore } from '../contracts/store.js';
import { fromJsonArray, toJson, toMs } from './codec.js';
import { guardUnique } from './conflict.js';
import type { StoreContext } from './context.js';
import { pageBounds, toPage } from './pagination.js';
import type { RoleRow } from './schema.js';

const toRow = (role: Role): RoleRow => ({
  id: role.id,
  workspace_id: role.workspaceId,
  name: role.name,
  description: role.description,
  permissions: toJson(role.permissions),
  created_at: role.createdAt,
  updated_at: role.updatedAt,
});

const fromRow = (row: RoleRow): Role => ({
  id: row.id,
  workspaceId: row.workspace_id,
  name: row.name,
  description: row.description,
  permissions: fromJsonArray<string>(row.permissions),
  createdAt: toMs(row.created_at),
  updatedAt: toMs(row.updated_at),
});

export function createRoleStore({ db }: StoreContext): RoleStore {
  return {
    async create(role) {
      await guardUnique('role', () => db.insertInto('roles').values(toRow(role)).execute());
    },

    async get(workspaceId, id) {
      const row = await db
        .selectFrom('roles')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? null : fromRow(row);
    },

    async getByNames(workspaceId, names) {
      if (names.length === 0) return [];
      const rows = await db
        .selectFrom('roles')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('name', 'in', [...new Set(names)])
        .orderBy('id')
        .execute();
      return rows.map(fromRow);
    },

    async list(workspaceId, query) {
      const { limit, after } = pageBounds(query);
      const rows = await db
        .selectFrom('roles')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .$if(after !== null, (qb) => qb.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(fromRow), limit);
    },

    async update(workspaceId, id, patch, now) {
      const row = await guardUnique('role', () =>
        db
          .updateTable('roles')
          .set({
            ...(patch.name === undefined ? {} : { name: patch.name }),
            ...(patch.description === undefined ? {} : { description: patch.description }),
            ...(patch.permissions === undefined ? {} : { permissions: toJson(patch.permissions) }),
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
      const deleted = await db
        .deleteFrom('roles')
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .returning('id')
        .executeTakeFirst();
      return deleted !== undefined;
    },
  };
}
