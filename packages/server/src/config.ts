import { isIP } from 'node:net';
import path from 'node:path';
import { inspect } from 'node:util';
import { GITHUB_SCANNING_KEYS_URL } from './secret-scanning/github-keys-url.js';

/**
 * A value that must never reach a log line: `JSON.stringify`, `console.log` and pino
 * print `[redacted]`; only `reveal()` gives the string.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return '[redacted]';
  }
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/** `json`: one JSON object per line; `pretty`: human-readable lines; `auto`: pretty on a terminal, else JSON. */
export type LogFormat = 'auto' | 'json' | 'pretty';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export type DatabaseConfig =
  /** Embedded default: one SQLite file (WAL) under the data directory. */
  | { kind: 'sqlite'; path: string }
  /**
   * Scaled out: PostgreSQL, the URL may hold a password (a Secret). `poolSize`
   * (KEYWARD_DATABASE_POOL_SIZE, default 10): most connections this node opens; every node's
   * pool together must stay under the server's `max_connections` (docs/deploy.md).
   */
  | { kind: 'postgres'; url: Secret; poolSize: number };

/** Validated, frozen server configuration (see `loadConfig`). */
export interface Config {
  /** KEYWARD_PORT, default 8787 (0 picks a free port). */
  readonly port: number;
  /** KEYWARD_HOST, default 127.0.0.1 (loopback only until you choose otherwise). */
  readonly host: string;
  /** KEYWARD_DATA_DIR, default ./data, resolved against the working directory. */
  readonly dataDir: string;
  /** KEYWARD_DATABASE_URL (postgres://...) or, unset, SQLite at `<dataDir>/keyward.db`. */
  readonly database: DatabaseConfig;
  /** KEYWARD_REDIS_URL: Redis counters and cache bus; null = in-memory counters. */
  readonly redisUrl: Secret | null;
  /** KEYWARD_PEPPER (≥ 32 chars): digests become HMAC-SHA-256 keyed with it; null = plain SHA-256. */
  readonly pepper: Secret | null;
  /** KEYWARD_LOG_LEVEL, default info. */
  readonly logLevel: LogLevel;
  /** KEYWARD_LOG_FORMAT: json, pretty, or auto (default: pretty when stdout is a terminal, else JSON). */
  readonly logFormat: LogFormat;
  /** KEYWARD_TRUST_PROXY: false (default), true (trust every hop), or the addresses/CIDRs of trusted proxies. */
  readonly trustProxy: boolean | readonly string[];
  /** KEYWARD_RATELIMIT_FAIL_MODE: what rate limits do while Redis is down; default closed (503). */
  readonly ratelimitFailMode: 'open' | 'closed';
  /** KEYWARD_CACHE_TTL_MS: verification cache lifetime (and the most a key can be stale), default 30000. */
  readonly cacheTtlMs: number;
  /** KEYWARD_ROOT_KEY_CACHE_TTL_MS: root-key lookup cache lifetime (the staleness bound if an invalidation is lost), default 5000. */
  readonly rootKeyCacheTtlMs: number;
  /**
   * KEYWARD_STALE_MS: while the database FAILS, a cached key keeps verifying until its entry
   * is this much past its TTL (uncached keys are refused); default 300000 (5 min), 0 = never.
   */
  readonly staleWhileErrorMs: number;
  /** KEYWARD_STORE_TIMEOUT_MS: deadline of each database call on the verification path, default 1000. */
  readonly storeTimeoutMs: number;
  /**
   * KEYWARD_REDIS_TIMEOUT_MS: deadline of each rate-limit call to Redis, default 200; a slower
   * call counts as Redis failing (the fail mode decides), five in a row open the circuit for 1 s.
   */
  readonly redisTimeoutMs: number;
  /** KEYWARD_REDIS_PREFIX: prefix of every Redis key and channel keyward uses, default `kw:` (several deployments may share one Redis). */
  readonly redisPrefix: string;
  /** KEYWARD_MONITOR_INTERVAL_MS: traffic detectors (spike, leak, brute force) run this often, default 60000; 0 = off. */
  readonly monitorIntervalMs: number;
  /** KEYWARD_MONITOR_KEY_STATE_INTERVAL_MS: key-state detectors (credits, expiry, unused) run this often, default 300000; 0 = off. */
  readonly monitorKeyStateIntervalMs: number;
  /**
   * KEYWARD_WEBHOOK_ADDRESSES: which receiver addresses webhooks may reach: `public`
   * (default), `loopback` (also 127.0.0.0/8 and ::1, e.g. tests or a local receiver) or
   * `private` (also 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7). Link-local and
   * metadata addresses are never reached.
   */
  readonly webhookAddresses: 'public' | 'loopback' | 'private';
  /** KEYWARD_WEBHOOK_TIMEOUT_MS: deadline of one webhook delivery, default 10000. */
  readonly webhookTimeoutMs: number;
  /**
   * KEYWARD_PUBLIC_URL: the URL people reach keyward at (`https://keys.example.com`), for
   * portal links and the dashboard's CSRF Origin check; null (default): each request's own
   * scheme and Host.
   */
  readonly publicUrl: string | null;
  /** KEYWARD_SESSION_IDLE_MINUTES: a dashboard session ends after this long unused, default 30. */
  readonly sessionIdleMinutes: number;
  /** KEYWARD_SESSION_MAX_HOURS: a dashboard session ends this long after sign-in, default 12. */
  readonly sessionMaxHours: number;
  /**
   * KEYWARD_GITHUB_SCANNING_KEYS_URL: GitHub's secret-scanning public key list (what signs
   * `POST /v1/secret-scanning/github`), default https://api.github.com/meta/public_keys/secret_scanning.
   */
  readonly githubScanningKeysUrl: string;
}

/** Thrown by `loadConfig`; `problems` holds one line per bad variable, none of them echoing a secret. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

const integer = (name: string, raw: string, min: number, max: number): Parsed<number> => {
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  return Number.isSafeInteger(value) && value >= min && value <= max
    ? ok(value)
    : bad(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
};

const urlWithScheme = (name: string, raw: string, schemes: readonly string[]): Parsed<Secret> => {
  // Never echo the value: connection URLs carry passwords.
  const expected = `${name} must be a ${schemes.map((s) => `${s}//`).join(' or ')} URL`;
  try {
    const url = new URL(raw);
    return schemes.includes(url.protocol) && url.hostname !== '' ? ok(new Secret(raw)) : bad(expected);
  } catch {
    return bad(expected);
  }
};

/** Names proxy-addr (Fastify's trustProxy) understands besides addresses and CIDRs. */
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

const isAddressOrCidr = (entry: string): boolean => {
  if (PROXY_NAMES.has(entry)) return true;
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
};

const parseTrustProxy = (raw: string): Parsed<boolean | readonly string[]> => {
  if (raw === 'true' || raw === 'false') return ok(raw === 'true');
  const entries = raw.split(',').map((entry) => entry.trim());
  const wrong = entries.filter((entry) => !isAddressOrCidr(entry));
  return wrong.length === 0
    ? ok(Object.freeze(entries))
    : bad(
        `KEYWARD_TRUST_PROXY must be true, false or a comma-separated list of IP addresses/CIDRs (not valid: ${wrong.map((w) => `"${w}"`).join(', ')})`,
      );
};

/**
 * Reads keyward's configuration from an environment. Pure: no I/O, nothing read but `env`
 * (and the working directory, to resolve the data directory). Empty variables count as
 * unset. Throws `ConfigError` listing every problem at once.
 *
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };
  const take = <T>(name: string, fallback: T, parse: (raw: string) => Parsed<T>): T => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const parsed = parse(raw);
    if (parsed.ok) return parsed.value;
    problems.push(parsed.problem);
    return fallback;
  };

  const port = take('KEYWARD_PORT', 8787, (raw) => integer('KEYWARD_PORT', raw, 0, 65535));
  const host = take('KEYWARD_HOST', '127.0.0.1', (raw) =>
    /^[A-Za-z0-9.:[\]-]+$/.test(raw)
      ? ok(raw)
      : bad(`KEYWARD_HOST must be a host name or IP address (got "${raw}")`),
  );
  const dataDir = path.resolve(take('KEYWARD_DATA_DIR', './data', ok));
  const pepper = take<Secret | null>('KEYWARD_PEPPER', null, (raw) =>
    raw.length >= 32
      ? ok(new Secret(raw))
      : bad(
          `KEYWARD_PEPPER must be at least 32 characters (it has ${raw.length}); generate one with: openssl rand -base64 48`,
        ),
  );
  const databaseUrl = take<Secret | null>('KEYWARD_DATABASE_URL', null, (raw) =>
    urlWithScheme('KEYWARD_DATABASE_URL', raw, ['postgres:', 'postgresql:']),
  );
  const databasePoolSize = take('KEYWARD_DATABASE_POOL_SIZE', 10, (raw) =>
    integer('KEYWARD_DATABASE_POOL_SIZE', raw, 1, 1000),
  );
  const redisUrl = take<Secret | null>('KEYWARD_REDIS_URL', null, (raw) =>
    urlWithScheme('KEYWARD_REDIS_URL', raw, ['redis:', 'rediss:']),
  );
  const logLevel = take<LogLevel>('KEYWARD_LOG_LEVEL', 'info', (raw) => {
    const level = LOG_LEVELS.find((candidate) => candidate === raw.toLowerCase());
    return level
      ? ok(level)
      : bad(`KEYWARD_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${raw}")`);
  });
  const logFormat = take<LogFormat>('KEYWARD_LOG_FORMAT', 'auto', (raw) =>
    raw === 'auto' || raw === 'json' || raw === 'pretty'
      ? ok(raw)
      : bad(`KEYWARD_LOG_FORMAT must be json, pretty or auto (got "${raw}")`),
  );
  const trustProxy = take('KEYWARD_TRUST_PROXY', false, parseTrustProxy);
  const ratelimitFailMode = take<'open' | 'closed'>('KEYWARD_RATELIMIT_FAIL_MODE', 'closed', (raw) =>
    raw === 'open' || raw === 'closed'
      ? ok(raw)
      : bad(`KEYWARD_RATELIMIT_FAIL_MODE must be "open" or "closed" (got "${raw}")`),
  );
  const cacheTtlMs = take('KEYWARD_CACHE_TTL_MS', 30_000, (raw) =>
    integer('KEYWARD_CACHE_TTL_MS', raw, 0, 86_400_000),
  );
  const rootKeyCacheTtlMs = take('KEYWARD_ROOT_KEY_CACHE_TTL_MS', 5_000, (raw) =>
    integer('KEYWARD_ROOT_KEY_CACHE_TTL_MS', raw, 0, 86_400_000),
  );

  const staleWhileErrorMs = take('KEYWARD_STALE_MS', 300_000, (raw) =>
    integer('KEYWARD_STALE_MS', raw, 0, 86_400_000),
  );
  const storeTimeoutMs = take('KEYWARD_STORE_TIMEOUT_MS', 1000, (raw) =>
    integer('KEYWARD_STORE_TIMEOUT_MS', raw, 1, 60_000),
  );
  const redisTimeoutMs = take('KEYWARD_REDIS_TIMEOUT_MS', 200, (raw) =>
    integer('KEYWARD_REDIS_TIMEOUT_MS', raw, 1, 60_000),
  );
  const redisPrefix = take('KEYWARD_REDIS_PREFIX', 'kw:', (raw) =>
    /^[A-Za-z0-9:_.-]{1,64}$/.test(raw)
      ? ok(raw)
      : bad(`KEYWARD_REDIS_PREFIX must be 1-64 characters of A-Z a-z 0-9 : _ . - (got "${raw}")`),
  );

  const monitorIntervalMs = take('KEYWARD_MONITOR_INTERVAL_MS', 60_000, (raw) =>
    integer('KEYWARD_MONITOR_INTERVAL_MS', raw, 0, 86_400_000),
  );
  const monitorKeyStateIntervalMs = take('KEYWARD_MONITOR_KEY_STATE_INTERVAL_MS', 300_000, (raw) =>
    integer('KEYWARD_MONITOR_KEY_STATE_INTERVAL_MS', raw, 0, 86_400_000),
  );
  const webhookAddresses = take<'public' | 'loopback' | 'private'>(
    'KEYWARD_WEBHOOK_ADDRESSES',
    'public',
    (raw) =>
      raw === 'public' || raw === 'loopback' || raw === 'private'
        ? ok(raw)
        : bad(`KEYWARD_WEBHOOK_ADDRESSES must be public, loopback or private (got "${raw}")`),
  );
  const webhookTimeoutMs = take('KEYWARD_WEBHOOK_TIMEOUT_MS', 10_000, (raw) =>
    integer('KEYWARD_WEBHOOK_TIMEOUT_MS', raw, 100, 120_000),
  );

  const publicUrl = take<string | null>('KEYWARD_PUBLIC_URL', null, (raw) => {
    const url = URL.canParse(raw) ? new URL(raw) : null;
    return url !== null && (url.protocol === 'https:' || url.protocol === 'http:') && url.username === ''
      ? ok(url.origin)
      : bad(`KEYWARD_PUBLIC_URL must be an http:// or https:// URL without credentials (got "${raw}")`);
  });
  const sessionIdleMinutes = take('KEYWARD_SESSION_IDLE_MINUTES', 30, (raw) =>
    integer('KEYWARD_SESSION_IDLE_MINUTES', raw, 1, 1440),
  );
  const sessionMaxHours = take('KEYWARD_SESSION_MAX_HOURS', 12, (raw) =>
    integer('KEYWARD_SESSION_MAX_HOURS', raw, 1, 720),
  );
  const githubScanningKeysUrl = take('KEYWARD_GITHUB_SCANNING_KEYS_URL', GITHUB_SCANNING_KEYS_URL, (raw) => {
    const parsed = urlWithScheme('KEYWARD_GITHUB_SCANNING_KEYS_URL', raw, ['https:', 'http:']);
    return parsed.ok ? ok(raw) : parsed;
  });

  if (problems.length > 0) throw new ConfigError(problems);
  const database: DatabaseConfig = databaseUrl
    ? Object.freeze({ kind: 'postgres', url: databaseUrl, poolSize: databasePoolSize })
    : Object.freeze({ kind: 'sqlite', path: path.join(dataDir, 'keyward.db') });
  return Object.freeze({
    port,
    host,
    dataDir,
    database,
    redisUrl,
    pepper,
    logLevel,
    logFormat,
    trustProxy,
    ratelimitFailMode,
    cacheTtlMs,
    rootKeyCacheTtlMs,
    staleWhileErrorMs,
    storeTimeoutMs,
    redisTimeoutMs,
    redisPrefix,
    monitorIntervalMs,
    monitorKeyStateIntervalMs,
    webhookAddresses,
    webhookTimeoutMs,
    publicUrl,
    sessionIdleMinutes,
    sessionMaxHours,
    githubScanningKeysUrl,
  });
}

/** Where a connection URL points, without user or password (for log lines). */
export const describeUrl = (url: Secret): string => {
  const parsed = new URL(url.reveal());
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
};
