import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

/** The scale-out variables: staleness while the database fails, deadlines, the Redis prefix. */
describe('loadConfig scale-out variables', () => {
  it('defaults: 5 min stale, 1 s store deadline, 200 ms Redis deadline, prefix kw:', () => {
    expect(loadConfig({})).toMatchObject({
      staleWhileErrorMs: 300_000,
      storeTimeoutMs: 1000,
      redisTimeoutMs: 200,
      redisPrefix: 'kw:',
    });
  });

  it('reads them', () => {
    const config = loadConfig({
      KEYWARD_STALE_MS: '0',
      KEYWARD_STORE_TIMEOUT_MS: '250',
      KEYWARD_REDIS_TIMEOUT_MS: '75',
      KEYWARD_REDIS_PREFIX: 'acme-prod:',
    });
    expect(config).toMatchObject({
      staleWhileErrorMs: 0,
      storeTimeoutMs: 250,
      redisTimeoutMs: 75,
      redisPrefix: 'acme-prod:',
    });
  });

  it.each([
    ['KEYWARD_STALE_MS', '-1'],
    ['KEYWARD_STORE_TIMEOUT_MS', '0'],
    ['KEYWARD_REDIS_TIMEOUT_MS', 'fast'],
    // A hash tag in the prefix would put every counter in one Redis Cluster slot.
    ['KEYWARD_REDIS_PREFIX', 'kw:{all}:'],
    ['KEYWARD_REDIS_PREFIX', 'has space'],
  ])('rejects %s=%s, naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringContaining(name)]);
  });
});
