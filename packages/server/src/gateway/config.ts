import { readFile } from 'node:fs/promises';
import { KeywardError } from '@keyward/core';
import { ConfigChecker, MAX_MS } from './config-checks.js';
import { readRoutes } from './config-routes.js';
import { type ConfigIssue, parseConfigSource } from './config-source.js';
import { readUpstreams } from './config-upstreams.js';

/**
 * The gateway's routing file (YAML, or JSON), validated once at start-up and on every reload.
 * See docs/gateway.md for the format; `examples/charging-api/gateway.yaml` is a worked example.
 */
export interface GatewayConfig {
  /** Where the gateway listens (read at start-up only). Default 127.0.0.1:8788. */
  readonly listen: { readonly host: string; readonly port: number };
  /** Only keys of this API are accepted; null = keys of any API in the store. */
  readonly apiId: string | null;
  /** Protection space named in `WWW-Authenticate`. Default `keyward`. */
  readonly realm: string;
  /** Lower-case header that carries the key; `authorization` (default) means `Authorization: Bearer <key>`. */
  readonly keyHeader: string;
  /** Default for routes: ms to wait for the upstream's response headers (then 504). Default 30000. */
  readonly timeoutMs: number;
  /** Longest silence allowed between two chunks of a response body (0 = none). Default 300000. */
  readonly idleTimeoutMs: number;
  /** Round-robin pool; at least one. */
  readonly upstreams: readonly UpstreamConfig[];
  /** Matched most specific first (see route-pattern.ts); anything unmatched is denied. */
  readonly routes: readonly RouteConfig[];
}

export interface HealthCheckConfig {
  /** Path requested with GET; any 2xx/3xx answer is healthy. */
  readonly path: string;
  /** Default 5000. */
  readonly intervalMs: number;
  /** Default: the smaller of 2000 and intervalMs. */
  readonly timeoutMs: number;
  /** Consecutive failures that take an upstream out of rotation. Default 2. */
  readonly unhealthyThreshold: number;
  /** Consecutive successes that put it back. Default 1. */
  readonly healthyThreshold: number;
}

export interface UpstreamConfig {
  /** `http(s)://host:port[/base-path]`; the request path is appended to the base path. */
  readonly url: string;
  /** null = always considered healthy (connection failures still answer 502). */
  readonly healthCheck: HealthCheckConfig | null;
}

export interface RouteConfig {
  /** Recorded as the usage tag `route:<name>`; default `<METHOD> <path>` of the request. */
  readonly name: string | null;
  /** Upper-case methods; `*` = any. GET also admits HEAD. */
  readonly methods: readonly string[] | '*';
  readonly path: string;
  /** No key needed; the request is forwarded without identity headers. */
  readonly public: boolean;
  /** Permission query the key must satisfy. */
  readonly permissions: string | null;
  /** Permission query evaluated in dry run (never denies; reported as would-deny in usage and `x-keyward-would-deny`). */
  readonly dryRunPermissions: string | null;
  /** Credits a request costs; null = the engine's default (1 where the key has credits). */
  readonly cost: number | null;
  /** Named limits to apply with their cost; null = every limit of the key and consumer, cost 1. */
  readonly ratelimits: ReadonlyArray<{ readonly name: string; readonly cost?: number }> | null;
  /** Overrides the file's `timeoutMs`. */
  readonly timeoutMs: number | null;
  /**
   * WebSocket handshakes are tunnelled (after the same checks as any request). Default
   * false: an `Upgrade` is ignored and the request is served as plain HTTP, connection closed after.
   */
  readonly websocket: boolean;
  /** 1-based line of the route in the file (for log lines). */
  readonly line: number;
}

export type GatewayConfigResult = { ok: true; config: GatewayConfig } | { ok: false; issues: ConfigIssue[] };

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const RESERVED_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'upgrade',
  'cookie',
]);

/**
 * Validates gateway file text. Never throws: every problem comes back with its line, column
 * and field, e.g. `12:14 routes[2].permissions: unexpected ")" at position 9`.
 *
 * @example const result = validateGatewayConfig(text); if (!result.ok) console.error(result.issues);
 */
export function validateGatewayConfig(text: string): GatewayConfigResult {
  const source = parseConfigSource(text);
  if (source.syntaxIssues.length > 0) return { ok: false, issues: source.syntaxIssues };
  const check = new ConfigChecker(source);
  const root = check.object(
    source.value,
    [],
    ['listen', 'apiId', 'realm', 'keyHeader', 'timeoutMs', 'idleTimeoutMs', 'upstreams', 'routes'],
  );
  if (!root) return { ok: false, issues: check.issues };

  const listen = readListen(check, root.listen);
  const apiId = root.apiId === undefined ? null : (check.string(root.apiId, ['apiId']) ?? null);
  const realm =
    root.realm === undefined
      ? 'keyward'
      : check.string(root.realm, ['realm'], {
          pattern: /^[\x20-\x7e]{1,100}$/,
          what: 'printable ASCII, at most 100 characters',
        });
  let keyHeader = 'authorization';
  if (root.keyHeader !== undefined) {
    const header = check.object(root.keyHeader, ['keyHeader'], ['name']);
    const name = header && check.string(header.name, ['keyHeader', 'name']);
    if (name !== undefined) {
      const lower = name.toLowerCase();
      if (!HEADER_NAME.test(lower)) check.fail(['keyHeader', 'name'], 'must be a valid HTTP header name');
      else if (RESERVED_HEADERS.has(lower) || lower.startsWith('x-keyward-')) {
        check.fail(['keyHeader', 'name'], `"${name}" cannot carry keys`);
      } else keyHeader = lower;
    }
  }
  const timeoutMs =
    root.timeoutMs === undefined ? 30_000 : check.integer(root.timeoutMs, ['timeoutMs'], 1, MAX_MS);
  const idleTimeoutMs =
    root.idleTimeoutMs === undefined
      ? 300_000
      : check.integer(root.idleTimeoutMs, ['idleTimeoutMs'], 0, MAX_MS);
  const upstreams = readUpstreams(check, root.upstreams);
  const routes = readRoutes(check, root.routes, source.locate);

  if (
    check.issues.length > 0 ||
    !listen ||
    realm === undefined ||
    timeoutMs === undefined ||
    idleTimeoutMs === undefined
  ) {
    return { ok: false, issues: check.issues };
  }
  return {
    ok: true,
    config: deepFreeze({ listen, apiId, realm, keyHeader, timeoutMs, idleTimeoutMs, upstreams, routes }),
  };
}

/**
 * Reads and validates a gateway file. Throws KeywardError `VALIDATION` listing every problem
 * as `<file>:<line>:<column> <field>: <message>`.
 *
 * @example const config = await loadGatewayConfig('gateway.yaml');
 */
export async function loadGatewayConfig(file: string): Promise<GatewayConfig> {
  const result = validateGatewayConfig(await readFile(file, 'utf8'));
  if (result.ok) return result.config;
  throw new KeywardError('VALIDATION', formatIssues(file, result.issues), {
    field: result.issues[0]?.field ?? '',
  });
}

/** `invalid gateway config gateway.yaml:\n  gateway.yaml:4:11 routes[0].cost: must be ...` */
export const formatIssues = (file: string, issues: readonly ConfigIssue[]): string =>
  [
    `invalid gateway config ${file}:`,
    ...issues.map((i) => `  ${file}:${i.line}:${i.column} ${i.field ? `${i.field}: ` : ''}${i.message}`),
  ].join('\n');

function readListen(check: ConfigChecker, value: unknown): GatewayConfig['listen'] | undefined {
  if (value === undefined) return { host: '127.0.0.1', port: 8788 };
  const listen = check.object(value, ['listen'], ['host', 'port']);
  if (!listen) return undefined;
  const host =
    listen.host === undefined
      ? '127.0.0.1'
      : check.string(listen.host, ['listen', 'host'], {
          pattern: /^[A-Za-z0-9.:[\]-]+$/,
          what: 'a host name or IP address',
        });
  const port = listen.port === undefined ? 8788 : check.integer(listen.port, ['listen', 'port'], 0, 65535);
  return host === undefined || port === undefined ? undefined : { host, port };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
