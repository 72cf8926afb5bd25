import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type Config, ConfigError, describeUrl, loadConfig, Secret } from './config.js';

const problemsOf = (env: NodeJS.ProcessEnv): readonly string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
};

const PEPPER = 'pepper-canary-7f3a9c1e5b2d4f6a8c0e2b4d6f8a0c2e';

describe('loadConfig defaults', () => {
  it('runs the embedded default with an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      dataDir: path.resolve('data'),
      database: { kind: 'sqlite', path: path.resolve('data', 'keyward.db') },
      redisUrl: null,
      pepper: null,
      logLevel: 'info',
      logFormat: 'auto',
      trustProxy: false,
      ratelimitFailMode: 'closed',
      cacheTtlMs: 30_000,
    } satisfies Partial<Config>);
  });

  it('is frozen', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
  });

  it('treats empty and blank variables as unset', () => {
    expect(loadConfig({ KEYWARD_PORT: '', KEYWARD_PEPPER: '  ', KEYWARD_DATABASE_URL: '' })).toMatchObject({
      port: 8787,
      pepper: null,
      database: { kind: 'sqlite' },
    });
  });
});

describe('loadConfig values', () => {
  it('reads every variable', () => {
    const config = loadConfig({
      KEYWARD_PORT: '9000',
      KEYWARD_HOST: '0.0.0.0',
      KEYWARD_DATA_DIR: '/var/lib/keyward',
      KEYWARD_PEPPER: PEPPER,
      KEYWARD_DATABASE_URL: 'postgres://keyward:pw@db.internal:5432/keyward',
      KEYWARD_DATABASE_POOL_SIZE: '40',
      KEYWARD_REDIS_URL: 'rediss://cache.internal:6380',
      KEYWARD_LOG_LEVEL: 'DEBUG',
      KEYWARD_LOG_FORMAT: 'json',
      KEYWARD_TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,loopback',
      KEYWARD_RATELIMIT_FAIL_MODE: 'open',
      KEYWARD_CACHE_TTL_MS: '5000',
    });
    expect(config.port).toBe(9000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.dataDir).toBe('/var/lib/keyward');
    expect(config.pepper?.reveal()).toBe(PEPPER);
    expect(config.database.kind).toBe('postgres');
    expect(config.database.kind === 'postgres' && config.database.url.reveal()).toBe(
      'postgres://keyward:pw@db.internal:5432/keyward',
    );
    expect(config.database.kind === 'postgres' && config.database.poolSize).toBe(40);
    expect(config.redisUrl?.reveal()).toBe('rediss://cache.internal:6380');
    expect(config.logLevel).toBe('debug');
    expect(config.logFormat).toBe('json');
    expect(config.trustProxy).toEqual(['10.0.0.0/8', '192.168.1.7', 'loopback']);
    expect(config.ratelimitFailMode).toBe('open');
    expect(config.cacheTtlMs).toBe(5000);
  });

  it('accepts postgresql:// and port 0 (pick a free port)', () => {
    const config = loadConfig({ KEYWARD_DATABASE_URL: 'postgresql://127.0.0.1/k', KEYWARD_PORT: '0' });
    expect(config.database.kind).toBe('postgres');
    expect(config.database.kind === 'postgres' && config.database.poolSize).toBe(10);
    expect(config.port).toBe(0);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['::1', ['::1']],
    ['fd00::/8', ['fd00::/8']],
  ] as const)('KEYWARD_TRUST_PROXY=%s', (raw, expected) => {
    expect(loadConfig({ KEYWARD_TRUST_PROXY: raw }).trustProxy).toEqual(expected);
  });
});

describe('loadConfig problems', () => {
  it.each([
    ['KEYWARD_PORT', 'http', 'KEYWARD_PORT must be an integer from 0 to 65535 (got "http")'],
    ['KEYWARD_PORT', '65536', 'KEYWARD_PORT must be an integer from 0 to 65535 (got "65536")'],
    ['KEYWARD_PORT', '80.5', 'KEYWARD_PORT must be an integer from 0 to 65535 (got "80.5")'],
    ['KEYWARD_PORT', '-1', 'KEYWARD_PORT must be an integer from 0 to 65535 (got "-1")'],
    ['KEYWARD_HOST', 'bad host!', 'KEYWARD_HOST must be a host name or IP address (got "bad host!")'],
    ['KEYWARD_LOG_FORMAT', 'yaml', 'KEYWARD_LOG_FORMAT must be json, pretty or auto (got "yaml")'],
    [
      'KEYWARD_DATABASE_URL',
      'mysql://x/y',
      'KEYWARD_DATABASE_URL must be a postgres:// or postgresql:// URL',
    ],
    ['KEYWARD_DATABASE_URL', 'not a url', 'KEYWARD_DATABASE_URL must be a postgres:// or postgresql:// URL'],
    ['KEYWARD_REDIS_URL', 'http://cache', 'KEYWARD_REDIS_URL must be a redis:// or rediss:// URL'],
    [
      'KEYWARD_LOG_LEVEL',
      'loud',
      'KEYWARD_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ],
    [
      'KEYWARD_TRUST_PROXY',
      'yes,10.0.0.0/33',
      'KEYWARD_TRUST_PROXY must be true, false or a comma-separated list of IP addresses/CIDRs (not valid: "yes", "10.0.0.0/33")',
    ],
    [
      'KEYWARD_RATELIMIT_FAIL_MODE',
      'maybe',
      'KEYWARD_RATELIMIT_FAIL_MODE must be "open" or "closed" (got "maybe")',
    ],
    [
      'KEYWARD_DATABASE_POOL_SIZE',
      '0',
      'KEYWARD_DATABASE_POOL_SIZE must be an integer from 1 to 1000 (got "0")',
    ],
    ['KEYWARD_CACHE_TTL_MS', '1e3', 'KEYWARD_CACHE_TTL_MS must be an integer from 0 to 86400000 (got "1e3")'],
  ])('%s=%s', (name, raw, message) => {
    expect(problemsOf({ [name]: raw })).toEqual([message]);
  });

  it('lists every problem at once, one line each', () => {
    const problems = problemsOf({
      KEYWARD_PORT: 'x',
      KEYWARD_LOG_LEVEL: 'y',
      KEYWARD_RATELIMIT_FAIL_MODE: 'z',
    });
    expect(problems).toHaveLength(3);
    for (const problem of problems) expect(problem).not.toContain('\n');
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'KEYWARD_PORT',
      'KEYWARD_LOG_LEVEL',
      'KEYWARD_RATELIMIT_FAIL_MODE',
    ]);
  });

  it('rejects a short pepper without echoing it', () => {
    const short = 'short-secret-pepper-canary';
    const problems = problemsOf({ KEYWARD_PEPPER: short });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^KEYWARD_PEPPER must be at least 32 characters/);
    expect(problems.join()).not.toContain(short);
  });

  it('never echoes a connection URL (it may hold a password)', () => {
    const problems = problemsOf({
      KEYWARD_DATABASE_URL: 'mysql://admin:hunter2-canary@db/x',
      KEYWARD_REDIS_URL: 'http://:hunter3-canary@cache',
    });
    expect(problems).toHaveLength(2);
    expect(problems.join()).not.toMatch(/hunter/);
  });
});

describe('secrets stay out of logs', () => {
  it('redacts the pepper and URLs in JSON, inspect and string forms', () => {
    const config = loadConfig({
      KEYWARD_PEPPER: PEPPER,
      KEYWARD_DATABASE_URL: 'postgres://u:dbpass-canary@db/k',
      KEYWARD_REDIS_URL: 'redis://:redispass-canary@cache:6379',
    });
    for (const text of [JSON.stringify(config), inspect(config, { depth: 5 }), `${config.pepper}`]) {
      expect(text).not.toContain(PEPPER);
      expect(text).not.toContain('canary');
    }
  });

  it('describeUrl keeps host and database, drops credentials', () => {
    expect(describeUrl(new Secret('postgres://u:dbpass@db.internal:5432/keyward'))).toBe(
      'postgres://db.internal:5432/keyward',
    );
    expect(describeUrl(new Secret('redis://:pw@cache:6379'))).toBe('redis://cache:6379');
  });
});
