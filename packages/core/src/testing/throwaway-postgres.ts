import pg from 'pg';
import { POSTGRES_URL, uniqueName } from './services.js';

/** A PostgreSQL database created for one test run and dropped after it. */
export interface ThrowawayDatabase {
  /** Connection URL of the new database. */
  url: string;
  drop(): Promise<void>;
}

/** Creates `kw_test_<random>` on the test server (`KEYWARD_TEST_DATABASE_URL`). */
export async function createThrowawayDatabase(): Promise<ThrowawayDatabase> {
  const name = uniqueName('kw_test');
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
