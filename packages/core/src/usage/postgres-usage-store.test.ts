import { afterAll, beforeAll, describe } from 'vitest';
import { createPostgresPool, migratePostgres } from '../store/postgres.js';
import { serviceAvailable } from '../testing/services.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../testing/throwaway-postgres.js';
import { describeUsageStoreConformance } from '../testing/usage-store.conformance.js';
import { createPostgresUsageStore } from './postgres-usage-store.js';

const available = await serviceAvailable('postgres');

describe.runIf(available)('postgres usage store', () => {
  let database: ThrowawayDatabase;
  beforeAll(async () => {
    database = await createThrowawayDatabase();
    const pool = createPostgresPool(database.url);
    await migratePostgres(pool);
    await pool.end();
  });
  afterAll(async () => {
    await database?.drop();
  });

  describeUsageStoreConformance('postgres', async () => {
    const pool = createPostgresPool(database.url);
    // Each test starts from empty tables.
    await pool.query(
      'truncate usage_events, usage_minute, usage_hour, usage_day, key_usage, usage_batches restart identity',
    );
    const usage = createPostgresUsageStore({ pool });
    return {
      usage,
      select: async <T>(text: string) => (await pool.query(text)).rows as T[],
      exec: async (text: string) => {
        await pool.query(text);
      },
      cleanup: async () => {
        await usage.close();
        await pool.end();
      },
    };
  });
});
