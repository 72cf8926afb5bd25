import { describe } from 'vitest';
import { createPostgresHandle, createPostgresPool } from '../store/postgres.js';
import { useMigratedPostgres } from '../testing/migrated-postgres.js';
import { serviceAvailable } from '../testing/services.js';
import { describeUsageStoreConformance } from '../testing/usage-store.conformance.js';
import { createUsageStore } from './usage-store-factory.js';

const available = await serviceAvailable('postgres');

describe.runIf(available)('postgres usage store', () => {
  const url = useMigratedPostgres();

  describeUsageStoreConformance('postgres', async () => {
    const sql = createPostgresHandle({ pool: createPostgresPool(url()) });
    const { pool } = sql;
    // Each test starts from empty tables.
    await pool.query(
      'truncate usage_events, usage_minute, usage_hour, usage_day, key_usage, usage_batches, key_credential_usage, key_credential_clients restart identity',
    );
    const usage = createUsageStore({ sql });
    return {
      usage,
      select: async <T>(text: string) => (await pool.query(text)).rows as T[],
      exec: async (text: string) => {
        await pool.query(text);
      },
      cleanup: async () => {
        await usage.close();
        await sql.close();
      },
    };
  });
});
