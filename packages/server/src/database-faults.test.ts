import { createEngine } from '@keyward/core';
import { createSqliteStore, migrateSqlite, openSqliteDatabase } from '@keyward/core/sqlite';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, withUnavailableErrors } from './database-faults.js';

const coded = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', coded('ECONNREFUSED')],
    ['a reset connection', coded('ECONNRESET')],
    [
      'PostgreSQL shutting down (57P01)',
      coded('57P01', 'terminating connection due to administrator command'),
    ],
    ['PostgreSQL starting up (57P03)', coded('57P03', 'the database system is starting up')],
    ['a connection exception (08006)', coded('08006')],
    ['too many connections (53300)', coded('53300')],
    ['a pool that gave up waiting', new Error('timeout exceeded when trying to connect')],
    ['a connection that died mid-query', new Error('Connection terminated unexpectedly')],
    ['Redis while disconnected', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['a locked SQLite file', coded('SQLITE_BUSY', 'database is locked')],
    [
      'a cause two levels down',
      new Error('outer', { cause: new Error('inner', { cause: coded('ECONNREFUSED') }) }),
    ],
  ])('recognizes %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', coded('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', coded('42601')],
    ['a plain bug', new TypeError('x is undefined')],
    ['a non-error', 'ECONNREFUSED'],
  ])('leaves %s alone', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('withUnavailableErrors', () => {
  it('turns a connection failure into UNAVAILABLE and passes everything else through', async () => {
    const database = openSqliteDatabase(':memory:');
    await migrateSqlite(database);
    const real = createSqliteStore({ database });
    const down = coded('ECONNREFUSED');
    const bug = new TypeError('bug');
    let failure: Error = down;
    const store = withUnavailableErrors({
      ...real,
      workspaces: { ...real.workspaces, get: () => Promise.reject(failure) },
    });
    await expect(store.workspaces.get('ws_1')).rejects.toMatchObject({ code: 'UNAVAILABLE', cause: down });
    failure = bug;
    await expect(store.workspaces.get('ws_1')).rejects.toBe(bug);
    // Untouched methods still work, with their own `this`.
    await expect(store.workspaces.list()).resolves.toEqual([]);
    const engine = createEngine({ store });
    await expect(engine.verifyKey('not a key')).resolves.toMatchObject({ code: 'NOT_FOUND' });
    await engine.close();
    await store.close();
  });
});
