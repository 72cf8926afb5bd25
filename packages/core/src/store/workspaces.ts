import type { Workspace } from '../contracts/model.js';
import type { WorkspaceStore } from '../contracts/store.js';
import { toMs } from './codec.js';
import { guardUnique } from './conflict.js';
import type { StoreContext } from './context.js';
import type { WorkspaceRow } from './schema.js';

const toRow = (ws: Workspace): WorkspaceRow => ({ id: ws.id, name: ws.name, created_at: ws.createdAt });

const fromRow = (row: WorkspaceRow): Workspace => ({
  id: row.id,
  name: row.name,
  createdAt: toMs(row.created_at),
});

export function createWorkspaceStore({ db }: StoreContext): WorkspaceStore {
  return {
    async create(ws) {
      await guardUnique('workspace', () => db.insertInto('workspaces').values(toRow(ws)).execute());
    },

    async get(id) {
      const row = await db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : fromRow(row);
    },

    async list() {
      const rows = await db.selectFrom('workspaces').selectAll().orderBy('id').execute();
      return rows.map(fromRow);
    },
  };
}
