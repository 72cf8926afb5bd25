import { afterAll, beforeAll } from 'vitest';
import { createPostgresHandle, createPostgresPool, migratePostgres } from '../store/postgres.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from './throwaway-postgres.js';

/**
 * Inside a `describe`: one throwaway PostgreSQL database for the whole block, migrated
 * before its first test and dropped after its last. Returns a getter of its URL (call it
 * in hooks and tests, not while the block is being collected).
 *
 * @example
 * describe.runIf(await serviceAvailable('postgres'))('postgres', () => {
 *   const url = useMigratedPostgres();
 *   it('...', async () => { const sql = createPostgresHandle({ pool: createPostgresPool(url()) }); ... });
 * });
 */
export function useMigratedPostgres(): () => string {
  let database: ThrowawayDatabase | null = null;
  beforeAll(async () => {
    database = await createThrowawayDatabase();
    const sql = createPostgresHandle({ pool: createPostgresPool(database.url) });
    try {
      await migratePostgres(sql);
    } finally {
      await sql.close();
    }
  });
  afterAll(async () => {
    await database?.drop();
  });
  return () => {
    if (database === null) throw new Error('the database exists only inside the tests of its block');
    return database.url;
  };
}
