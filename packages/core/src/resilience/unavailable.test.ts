import { describe, expect, it } from 'vitest';
import { isKeywardError, KeywardError } from '../contracts/errors.js';
import { isRedisUnavailable } from '../redis/redis-errors.js';
import { isPostgresUnavailable } from '../sql/postgres-handle.js';
import { isSqliteUnavailable } from '../sql/sqlite-handle.js';
import { unavailableTranslator } from './unavailable.js';

const coded = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('which driver errors mean "not now"', () => {
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
    ['a statement timeout (57014)', coded('57014')],
    ['a pool that gave up waiting', new Error('timeout exceeded when trying to connect')],
    ['a connection that died mid-query', new Error('Connection terminated unexpectedly')],
  ])('PostgreSQL: %s', (_name, error) => {
    expect(isPostgresUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', coded('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', coded('42601')],
    ['a plain bug', new TypeError('x is undefined')],
  ])('PostgreSQL leaves %s alone', (_name, error) => {
    expect(isPostgresUnavailable(error)).toBe(false);
  });

  it.each([
    ['a locked file', coded('SQLITE_BUSY', 'database is locked')],
    ['a stale snapshot', coded('SQLITE_BUSY_SNAPSHOT')],
    ['a failing disk', coded('SQLITE_IOERR_WRITE')],
    ['a closed connection', new TypeError('The database connection is not open')],
  ])('SQLite: %s', (_name, error) => {
    expect(isSqliteUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', coded('SQLITE_CONSTRAINT_UNIQUE')],
    ['a syntax error', coded('SQLITE_ERROR', 'near "selec": syntax error')],
    ['another TypeError', new TypeError('x is undefined')],
  ])('SQLite leaves %s alone', (_name, error) => {
    expect(isSqliteUnavailable(error)).toBe(false);
  });

  it.each([
    ['while disconnected', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['a command timeout', new Error('Command timed out')],
    ['a closed connection', new Error('Connection is closed.')],
    ['a refused connection', coded('ECONNREFUSED')],
  ])('Redis: %s', (_name, error) => {
    expect(isRedisUnavailable(error)).toBe(true);
  });

  it('Redis leaves a script error alone', () => {
    expect(isRedisUnavailable(new Error('ERR Error running script'))).toBe(false);
  });
});

describe('unavailableTranslator', () => {
  const translate = unavailableTranslator('the test database', isPostgresUnavailable);

  it('turns a recognised error, or one it was caused by, into UNAVAILABLE with the cause kept', () => {
    const refused = coded('ECONNREFUSED');
    const wrapped = new Error('outer', { cause: new Error('inner', { cause: refused }) });
    for (const error of [refused, wrapped]) {
      const translated = translate(error);
      expect(translated).toBeInstanceOf(KeywardError);
      expect(translated).toMatchObject({
        code: 'UNAVAILABLE',
        message: 'the test database is unavailable; retry later',
        cause: error,
      });
    }
  });

  it('passes everything else unchanged, a KeywardError included', () => {
    const conflict = new KeywardError('CONFLICT', 'taken');
    const bug = new TypeError('bug');
    expect(translate(conflict)).toBe(conflict);
    expect(translate(bug)).toBe(bug);
    expect(translate('ECONNREFUSED')).toBe('ECONNREFUSED');
    expect(isKeywardError(translate(coded('23505')))).toBe(false);
  });
});
