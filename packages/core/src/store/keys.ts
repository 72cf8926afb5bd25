import { type SelectQueryBuilder, sql } from 'kysely';
import { KeywardError } from '../contracts/errors.js';
import type { KeyRecord } from '../contracts/model.js';
import type { KeyLookup, KeyRollRef, KeyStore } from '../contracts/store.js';
import { toMsOrNull } from './codec.js';
import { guardUnique } from './conflict.js';
import type { StoreContext } from './context.js';
import { assertDigestsFree, chunks, prepareDigestLookup } from './key-digests.js';
import { applyKeyFilters } from './key-list-filters.js';
import { keyFromRow, keyPatchToRow, keyToRow } from './key-rows.js';
import { pageBounds, toPage } from './pagination.js';
import type { Database, KeyRow } from './schema.js';

/**
 * Keys and their previous digests. Transactions start with a write to the key's row, so
 * that they hold its lock from the first statement: a row lock on PostgreSQL, the write
 * lock on SQLite (a deferred transaction that reads first can fail to upgrade when
 * another process writes in between).
 */
export function createKeyStore(ctx: StoreContext): KeyStore {
  const { db, bool, transaction } = ctx;
  const lookup = prepareDigestLookup(db);
  // A literal, not a parameter: the planner matches it against the partial index `keys_imported`.
  const importedTrue = sql.lit(ctx.dialect === 'sqlite' ? 1 : true);

  const get: KeyStore['get'] = async (workspaceId, id) => {
    const row = await db
      .selectFrom('keys')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? null : keyFromRow(row);
  };

  /** The rolls of a key (whose existence the caller checked), latest first. */
  const rollsOf = async (executor: typeof db, id: string): Promise<KeyRollRef[]> => {
    const rows = await executor
      .selectFrom('key_digests')
      .select(['rolled_at', 'grace_until'])
      .where('key_id', '=', id)
      .orderBy('rolled_at', 'desc')
      .orderBy('grace_until', 'desc')
      .execute();
    return rows.map((row) => ({ rolledAt: Number(row.rolled_at), graceUntil: Number(row.grace_until) }));
  };

  return {
    async create(key) {
      await guardUnique('key', () =>
        transaction(async (trx) => {
          await trx.insertInto('keys').values(keyToRow(key, bool)).execute();
          await assertDigestsFree(trx, key.workspaceId, [key.digest]);
        }),
      );
    },

    async createMany(keys) {
      if (keys.length === 0) return;
      await guardUnique('key', () =>
        transaction(async (trx) => {
          for (const chunk of chunks(keys)) {
            await trx
              .insertInto('keys')
              .values(chunk.map((key) => keyToRow(key, bool)))
              .execute();
          }
          const byWorkspace = new Map<string, string[]>();
          for (const key of keys) {
            const digests = byWorkspace.get(key.workspaceId);
            if (digests === undefined) byWorkspace.set(key.workspaceId, [key.digest]);
            else digests.push(key.digest);
          }
          for (const [workspaceId, digests] of byWorkspace)
            await assertDigestsFree(trx, workspaceId, digests);
        }),
      );
    },

    get,

    async findByDigest(digest) {
      const { rows } = await db.executeQuery(lookup(digest));
      const found = rows.map((row): KeyLookup => {
        const lookup: KeyLookup = { key: keyFromRow(row), graceUntil: toMsOrNull(row.grace_until) };
        if (row.roll_at !== null && row.roll_grace_until !== null)
          lookup.roll = { rolledAt: Number(row.roll_at), graceUntil: Number(row.roll_grace_until) };
        return lookup;
      });
      // Oldest first: an unscoped verification picks the first (see the engine).
      if (found.length > 1)
        found.sort((a, b) => a.key.createdAt - b.key.createdAt || (a.key.id < b.key.id ? -1 : 1));
      return found;
    },

    async list(workspaceId, query) {
      const { limit, after } = pageBounds(query);
      const order = query.order ?? 'asc';
      const filtered = <O>(qb: SelectQueryBuilder<Database, 'keys', O>) =>
        applyKeyFilters(ctx, qb.where('workspace_id', '=', workspaceId), workspaceId, query, after)
          .orderBy('id', order)
          .limit(limit + 1);
      let rows: KeyRow[];
      if (query.search === undefined) {
        rows = await filtered(db.selectFrom('keys').selectAll()).execute();
      } else {
        // A search scans: first the page's ids on the narrow covering index `keys_list`, then their rows.
        const ids = (await filtered(db.selectFrom('keys').select('id')).execute()).map((row) => row.id);
        rows =
          ids.length === 0
            ? []
            : await db.selectFrom('keys').selectAll().where('id', 'in', ids).orderBy('id', order).execute();
      }
      return toPage(rows.map(keyFromRow), limit);
    },

    async update(workspaceId, id, patch, now) {
      const row = await db
        .updateTable('keys')
        .set({ ...keyPatchToRow(patch, bool), updated_at: now })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? null : keyFromRow(row);
    },

    async revoke(workspaceId, id, now) {
      const row = await db
        .updateTable('keys')
        .set({ revoked_at: now, updated_at: now })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      // Nothing updated: unknown, or revoked before (which keeps its first revokedAt).
      return row === undefined ? get(workspaceId, id) : keyFromRow(row);
    },

    async revokeDescendants(workspaceId, id, now) {
      return transaction(async (trx) => {
        const revoked: KeyRecord[] = [];
        let parents = [id];
        // One level per round: depth is bounded by the API's policy (a handful at most).
        while (parents.length > 0) {
          const children = await trx
            .selectFrom('keys')
            .select(['id', 'revoked_at'])
            .where('workspace_id', '=', workspaceId)
            .where('parent_key_id', 'in', parents)
            .execute();
          const live = children.filter((row) => row.revoked_at === null).map((row) => row.id);
          if (live.length > 0) {
            const rows = await trx
              .updateTable('keys')
              .set({ revoked_at: now, updated_at: now })
              .where('workspace_id', '=', workspaceId)
              .where('id', 'in', live)
              .where('revoked_at', 'is', null)
              .returningAll()
              .execute();
            revoked.push(...rows.map(keyFromRow));
          }
          parents = children.map((row) => row.id);
        }
        return revoked;
      });
    },

    async roll(workspaceId, id, next, now) {
      return guardUnique('key', () =>
        transaction(async (trx) => {
          const current = await trx
            .updateTable('keys')
            .set({ updated_at: now })
            .where('workspace_id', '=', workspaceId)
            .where('id', '=', id)
            .returning('digest')
            .executeTakeFirst();
          if (current === undefined) return null;
          if (current.digest === next.digest) {
            throw new KeywardError('CONFLICT', 'a key with this digest already exists', { field: 'digest' });
          }
          await assertDigestsFree(trx, workspaceId, [next.digest]);
          await trx
            .insertInto('key_digests')
            .values({ digest: current.digest, key_id: id, grace_until: next.graceUntil, rolled_at: now })
            .execute();
          const row = await trx
            .updateTable('keys')
            .set({ digest: next.digest, hint: next.hint, rolled_at: now })
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirstOrThrow();
          return { key: keyFromRow(row), oldDigest: current.digest };
        }),
      );
    },

    async rolls(workspaceId, id) {
      if ((await get(workspaceId, id)) === null) return null;
      return rollsOf(db, id);
    },

    async setGrace(workspaceId, id, change, now) {
      return transaction(async (trx) => {
        const locked = await trx
          .updateTable('keys')
          .set({ updated_at: now })
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', id)
          .returning('id')
          .executeTakeFirst();
        if (locked === undefined) return null;
        if (change.type === 'end') {
          await trx
            .updateTable('key_digests')
            .set({ grace_until: now })
            .where('key_id', '=', id)
            .where('grace_until', '>', now)
            .execute();
        } else {
          const latest = await trx
            .selectFrom('key_digests')
            .select(['digest', 'grace_until'])
            .where('key_id', '=', id)
            .orderBy('rolled_at', 'desc')
            .orderBy('grace_until', 'desc')
            .limit(1)
            .executeTakeFirst();
          if (latest !== undefined && Number(latest.grace_until) > now) {
            await trx
              .updateTable('key_digests')
              .set({ grace_until: change.graceUntil })
              .where('key_id', '=', id)
              .where('digest', '=', latest.digest)
              .execute();
          }
        }
        return rollsOf(trx, id);
      });
    },

    async delete(workspaceId, id) {
      return transaction(async (trx) => {
        const previous = await trx
          .deleteFrom('key_digests')
          .where('key_id', 'in', (eb) =>
            eb.selectFrom('keys').select('id').where('workspace_id', '=', workspaceId).where('id', '=', id),
          )
          .returning('digest')
          .execute();
        const deleted = await trx
          .deleteFrom('keys')
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', id)
          .returning('digest')
          .executeTakeFirst();
        if (deleted === undefined) return null;
        await trx.deleteFrom('credits').where('owner_kind', '=', 'key').where('owner_id', '=', id).execute();
        return [deleted.digest, ...previous.map((row) => row.digest)];
      });
    },

    async digests(id) {
      const rows = await db
        .selectFrom('keys')
        .select('digest')
        .where('id', '=', id)
        .unionAll(db.selectFrom('key_digests').select('digest').where('key_id', '=', id))
        .execute();
      return rows.map((row) => row.digest);
    },

    async hasImported() {
      const row = await db
        .selectFrom('keys')
        .select('id')
        .where('imported', '=', importedTrue)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
