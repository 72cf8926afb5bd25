import { type CompiledQuery, type Kysely, sql } from 'kysely';
import { KeywardError } from '../contracts/errors.js';
import type { Database, KeyRow } from './schema.js';

/** Most parameters one statement binds here (SQLite allows 32,766; PostgreSQL 65,535). */
export const CHUNK = 500;

export const chunks = <T>(items: readonly T[], size = CHUNK): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/**
 * `CONFLICT` on `digest` when any of `digests` is a previous digest of a key of the same
 * workspace (current digests are guarded by the unique index on `keys(workspace_id, digest)`).
 * Other workspaces' digests never count: a workspace must learn nothing about them.
 */
export async function assertDigestsFree(
  db: Kysely<Database>,
  workspaceId: string,
  digests: readonly string[],
): Promise<void> {
  for (const chunk of chunks(digests)) {
    // Driven from the digests (their primary key), each checked against its key's row by
    // id: a join filtered on `keys.workspace_id` let SQLite scan every key of the workspace
    // for each digest (O(keys × digests): 9 s to import 5,000 keys into an empty workspace).
    const taken = await db
      .selectFrom('key_digests')
      .select('key_digests.digest')
      .where('key_digests.digest', 'in', chunk)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('keys')
            .select('keys.id')
            .whereRef('keys.id', '=', 'key_digests.key_id')
            .where('keys.workspace_id', '=', workspaceId),
        ),
      )
      .limit(1)
      .executeTakeFirst();
    if (taken !== undefined) {
      throw new KeywardError('CONFLICT', 'a key with this digest already exists', { field: 'digest' });
    }
  }
}

/** A lookup row: the key, the grace deadline of the digest matched, and the roll it belongs to (see `KeyLookup.roll`). */
export type LookupRow = KeyRow & {
  grace_until: number | null;
  roll_at: number | null;
  roll_grace_until: number | null;
};

/** The key's latest roll first: by roll time, then (rolls made before `rolled_at` existed) by deadline. */
const latestRoll = (column: 'rolled_at' | 'grace_until') =>
  sql<
    number | null
  >`(select kd.${sql.ref(column)} from key_digests kd where kd.key_id = keys.id order by kd.rolled_at desc, kd.grace_until desc limit 1)`;

/** Stands for the digest while the lookup is compiled once; never sent to the database. */
const PLACEHOLDER = '\u0000keyward-digest\u0000';

/**
 * The verification cache-miss query, built and compiled once: keys whose current digest it
 * is (index on `keys.digest`), then keys whose previous digest it is (`key_digests`' primary
 * key), in one round trip, across workspaces (normally one row; several only when
 * workspaces hold the same secret). Returns a function giving the compiled query for a digest.
 */
export function prepareDigestLookup(db: Kysely<Database>): (digest: string) => CompiledQuery<LookupRow> {
  const compiled = db
    .selectFrom('keys')
    .selectAll('keys')
    .select(sql<number | null>`null`.as('grace_until'))
    .select(latestRoll('rolled_at').as('roll_at'))
    .select(latestRoll('grace_until').as('roll_grace_until'))
    .where('keys.digest', '=', PLACEHOLDER)
    .unionAll(
      db
        .selectFrom('key_digests')
        .innerJoin('keys', 'keys.id', 'key_digests.key_id')
        .selectAll('keys')
        .select('key_digests.grace_until')
        .select('key_digests.rolled_at as roll_at')
        .select('key_digests.grace_until as roll_grace_until')
        .where('key_digests.digest', '=', PLACEHOLDER),
    )
    .compile();
  const slots = compiled.parameters.map((parameter) => parameter === PLACEHOLDER);
  return (digest) => ({
    ...compiled,
    parameters: compiled.parameters.map((parameter, i) => (slots[i] === true ? digest : parameter)),
  });
}
