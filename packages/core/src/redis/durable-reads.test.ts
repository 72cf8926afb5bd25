import { describe, expect, it } from 'vitest';
import { KeywardError } from '../contracts/errors.js';
import type { DurableCreditLedger } from '../contracts/store.js';
import { createSqliteHandle, createStore, migrateSqlite, openSqliteDatabase } from '../store/sqlite.js';
import { withDurableReads } from './durable-reads.js';

const owner = { kind: 'key' as const, id: 'key_reads' };
const T0 = Date.UTC(2030, 0, 1);

describe('withDurableReads', () => {
  it('reads from the database while the ledger is unavailable, and nothing else falls back', async () => {
    const sql = createSqliteHandle({ database: openSqliteDatabase(':memory:') });
    await migrateSqlite(sql);
    const durable = createStore(sql).credits;
    await durable.set(owner, 7, null, T0);
    let failure: Error = new KeywardError('UNAVAILABLE', 'Redis is unavailable; retry later');
    const down: DurableCreditLedger = {
      ...durable,
      get: () => Promise.reject(failure),
      spend: () => Promise.reject(failure),
    };
    const credits = withDurableReads(down, durable);
    expect(credits.kind).toBe('durable');
    await expect(credits.get(owner, T0)).resolves.toBe(7);
    // Spending never falls back: the database lags the unsynced spends.
    await expect(credits.spend(owner, 1, T0)).rejects.toBe(failure);
    // Only "not now" falls back; a bug surfaces.
    failure = new TypeError('bug');
    await expect(credits.get(owner, T0)).rejects.toBe(failure);
    await sql.close();
  });
});
