import { createThrowawayDatabase, serviceAvailable, type ThrowawayDatabase } from '@keyward/core/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { openDatabase } from './start-dependencies.js';

/** Connections to one database right now, as PostgreSQL itself counts them. */
async function connectionsTo(admin: pg.Client, url: string): Promise<number> {
  const name = new URL(url).pathname.slice(1);
  const { rows } = await admin.query<{ n: number }>(
    'select count(*)::int as n from pg_stat_activity where datname = $1',
    [name],
  );
  return rows[0]?.n ?? 0;
}

/**
 * KEYWARD_DATABASE_POOL_SIZE bounds the connections one node opens: the sum over every node
 * is what PostgreSQL's `max_connections` must hold (docs/deploy.md, "On paper").
 */
describe('the PostgreSQL pool of one node', async () => {
  const available = await serviceAvailable('postgres');
  const databases: ThrowawayDatabase[] = [];
  afterAll(async () => {
    await Promise.all(databases.map((database) => database.drop()));
  });

  it.runIf(available).each([
    [2, 2],
    [undefined, 10],
  ])(
    'KEYWARD_DATABASE_POOL_SIZE=%s opens at most %i connections under 30 concurrent reads',
    async (size, most) => {
      const database = await createThrowawayDatabase();
      databases.push(database);
      const config = loadConfig({
        KEYWARD_DATABASE_URL: database.url,
        ...(size === undefined ? {} : { KEYWARD_DATABASE_POOL_SIZE: String(size) }),
      });
      const opened = await openDatabase(config);
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      try {
        await opened.migrate();
        // Each read waits on a connection of its own when the pool has one to give.
        await Promise.all(Array.from({ length: 30 }, () => opened.store.workspaces.get('ws_none')));
        // Every connection the pool made, less the one this test holds.
        expect((await connectionsTo(admin, database.url)) - 1).toBe(most);
      } finally {
        await admin.end();
        await opened.close();
      }
    },
  );
});
