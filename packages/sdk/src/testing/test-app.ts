import http from 'node:http';
import type { FailureThrottle, FailureThrottleOptions } from '../failure-throttle.js';
import type { KeywardOptions } from '../guard.js';
import type { Verifier } from '../verification.js';

/**
 * One small app per framework with the same routes, so every scenario and property runs
 * unchanged against Express, Fastify and Hono.
 */

export type RouteOptions = Pick<
  KeywardOptions<unknown>,
  'permissions' | 'dryRunPermissions' | 'cost' | 'ratelimits' | 'apiId'
>;

export interface RouteSpec {
  method: 'GET' | 'POST';
  path: string;
  options: RouteOptions;
}

export const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/whoami', options: {} },
  { method: 'GET', path: '/stations', options: { permissions: 'stations:read' } },
  { method: 'POST', path: '/sessions', options: { permissions: 'sessions:write', cost: 2 } },
  {
    method: 'GET',
    path: '/sessions',
    options: { permissions: 'sessions:read OR admin', ratelimits: [{ name: 'per-minute' }] },
  },
  // A new requirement watched in dry run before it is enforced.
  {
    method: 'GET',
    path: '/reports',
    options: { permissions: 'stations:read', dryRunPermissions: 'reports:read' },
  },
];

/** What every app is built with besides the route's own options. */
export interface CommonOptions {
  verifier: Verifier;
  realm?: string;
  throttle?: false | FailureThrottleOptions | FailureThrottle;
  onError?: (error: unknown) => void;
  now?: () => number;
}

export interface TestRequest {
  method?: 'GET' | 'POST';
  /** Path and query. */
  path: string;
  /** One value, several header lines, or none. */
  authorization?: string | string[];
  /** Other request headers (lower-case names), e.g. a browser's `origin`. */
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON (null when the body was empty or not JSON). */
  body: unknown;
}

export interface TestApp {
  request(request: TestRequest): Promise<TestResponse>;
  /**
   * The Authorization value the route receives for `value` sent as is, or null when this
   * transport cannot carry it (Node and Fetch refuse CR, LF, NUL and more in header values).
   */
  carried(value: string): string | null;
  close(): Promise<void>;
}

export type BuildTestApp = (common: CommonOptions) => Promise<TestApp>;

/** What each route answers when the key passed: which route ran and the identity it was handed. */
export const routeReply = (route: RouteSpec, identity: unknown) => ({
  route: `${route.method} ${route.path}`,
  identity,
});

const parseBody = (text: string): unknown => {
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    return null;
  }
};

/** What Node's HTTP client sends (it throws on other characters) and llhttp hands over (OWS trimmed). */
export const nodeCarried = (value: string): string | null =>
  /[^\t\x20-\x7e\x80-\xff]/.test(value) ? null : value.replace(/^[\t ]+/, '').replace(/[\t ]+$/, '');

/** Requests over one kept-alive loopback connection pool, for frameworks tested on a real socket. */
export function socketClient(server: http.Server): Pick<TestApp, 'request'> & { close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server is not on a TCP port');
  return {
    request: ({ method = 'GET', path, authorization, headers: extra = {} }) =>
      new Promise((resolve, reject) => {
        // An array is sent as one header line per value (the duplicate case).
        const headers = {
          ...extra,
          ...(authorization === undefined ? {} : { authorization }),
        } as http.OutgoingHttpHeaders;
        const req = http.request(
          { host: '127.0.0.1', port: address.port, method, path, agent, headers },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              const headers: Record<string, string> = {};
              for (const [name, value] of Object.entries(res.headers)) {
                if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
              }
              resolve({
                status: res.statusCode ?? 0,
                headers,
                body: parseBody(Buffer.concat(chunks).toString('utf8')),
              });
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end();
      }),
    close: () => agent.destroy(),
  };
}

/** Starts a node:http server on a loopback port. */
export const listen = (server: http.Server): Promise<void> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

export const closeServer = (server: http.Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
