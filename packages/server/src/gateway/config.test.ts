import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type GatewayConfigResult, loadGatewayConfig, validateGatewayConfig } from './config.js';

const issuesOf = (result: GatewayConfigResult) => {
  if (result.ok) throw new Error('expected the config to be rejected');
  return result.issues.map((i) => `${i.line}:${i.column} ${i.field}: ${i.message}`);
};

const MINIMAL = `
upstreams:
  - url: http://127.0.0.1:3000
routes:
  - path: /v1/*
`;

describe('validateGatewayConfig', () => {
  it('fills in every default and freezes the result', () => {
    const result = validateGatewayConfig(MINIMAL);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toEqual({
      listen: { host: '127.0.0.1', port: 8788 },
      apiId: null,
      realm: 'keyward',
      keyHeader: 'authorization',
      timeoutMs: 30_000,
      idleTimeoutMs: 300_000,
      upstreams: [{ url: 'http://127.0.0.1:3000', healthCheck: null }],
      routes: [
        {
          name: null,
          methods: '*',
          path: '/v1/*',
          public: false,
          permissions: null,
          dryRunPermissions: null,
          cost: null,
          ratelimits: null,
          timeoutMs: null,
          websocket: false,
          line: 5,
        },
      ],
    });
    expect(Object.isFrozen(result.config.routes[0])).toBe(true);
  });

  it('reads a full file', () => {
    const result = validateGatewayConfig(`
listen: { host: 0.0.0.0, port: 9000 }
apiId: api_123
realm: charging
keyHeader: { name: X-Api-Key }
timeoutMs: 5000
idleTimeoutMs: 0
upstreams:
  - url: http://127.0.0.1:3000/base/
    healthCheck: { path: /healthz, intervalMs: 1000 }
  - url: http://127.0.0.1:3001
routes:
  - name: list stations
    methods: [get, POST]
    path: /v1/stations
    permissions: stations:read AND (admin OR stations:*)
    cost: 2
    ratelimits: [{ name: requests, cost: 3 }, { name: burst }]
    timeoutMs: 100
  - methods: GET
    path: /healthz
    public: true
`);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const { config } = result;
    expect(config.keyHeader).toBe('x-api-key');
    expect(config.upstreams).toEqual([
      {
        url: 'http://127.0.0.1:3000/base',
        healthCheck: {
          path: '/healthz',
          intervalMs: 1000,
          timeoutMs: 1000,
          unhealthyThreshold: 2,
          healthyThreshold: 1,
        },
      },
      { url: 'http://127.0.0.1:3001', healthCheck: null },
    ]);
    expect(config.routes[0]).toMatchObject({
      name: 'list stations',
      methods: ['GET', 'POST'],
      cost: 2,
      ratelimits: [{ name: 'requests', cost: 3 }, { name: 'burst' }],
      timeoutMs: 100,
      line: 13,
    });
    expect(config.routes[1]).toMatchObject({ methods: ['GET'], public: true, line: 20 });
  });

  it('accepts JSON with the same rules', () => {
    const result = validateGatewayConfig(
      JSON.stringify({ upstreams: [{ url: 'http://localhost:1' }], routes: [{ path: '/', public: true }] }),
    );
    expect(result.ok).toBe(true);
  });

  it('names the line, column and field of every problem at once', () => {
    const issues = issuesOf(
      validateGatewayConfig(`upstreams:
  - url: ftp://example.com
  - url: http://127.0.0.1:1
    healthCheck: { path: healthz, intervalMs: 5 }
routes:
  - path: /v1/stations/:id
    permissions: "stations:read AND (admin"
    cost: -1
    ratelimits: [{ name: "", cost: 1 }]
  - path: v1/x
    method: GET
  - path: /public
    public: true
    permissions: admin
`),
    );
    expect(issues).toEqual([
      '2:10 upstreams[0].url: must use http:// or https://',
      '4:26 upstreams[1].healthCheck.path: must be a path starting with "/"',
      '4:47 upstreams[1].healthCheck.intervalMs: must be an integer from 100 to 3600000 (got 5)',
      '7:18 routes[0].permissions: unclosed "(" at position 18',
      '8:11 routes[0].cost: must be an integer from 0 to 1000000 (got -1)',
      '9:26 routes[0].ratelimits[0].name: must be a non-empty string (got "")',
      '11:5 routes[1].method: unknown field (did you mean "methods"?)',
      '10:11 routes[1].path: must start with "/"',
      '14:5 routes[2].permissions: a public route takes no key, so it cannot require this',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const issues = issuesOf(validateGatewayConfig('upstreams: []\nroutes: []\nupstreams: []\n'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^3:1 : Map keys must be unique/);
  });

  it('rejects a route that can never match', () => {
    const issues = issuesOf(
      validateGatewayConfig(`upstreams: [{ url: "http://127.0.0.1:1" }]
routes:
  - { methods: [GET, PUT], path: "/v1/stations/:id" }
  - { methods: [POST], path: "/v1/stations/:other" }
  - { methods: [PUT], path: "/v1/stations/:x" }
`),
    );
    expect(issues).toEqual([
      '5:29 routes[2].path: can never match: the route on line 3 has the same path and method',
    ]);
  });

  it('refuses headers that cannot carry keys, and empty lists', () => {
    expect(issuesOf(validateGatewayConfig('keyHeader: { name: Host }\nupstreams: []\nroutes: []\n'))).toEqual(
      [
        '1:20 keyHeader.name: "Host" cannot carry keys',
        '2:12 upstreams: must have at least 1 entry',
        '3:9 routes: must have at least 1 entry',
      ],
    );
  });

  it('rejects an empty file', () => {
    expect(issuesOf(validateGatewayConfig(''))).toEqual(['0:0 : must be a mapping (got nothing)']);
  });

  it('allows WebSocket only on routes that accept GET, and only as a boolean', () => {
    const file = (route: string) => `upstreams: [{ url: "http://127.0.0.1:1" }]\nroutes:\n  - ${route}\n`;
    expect(validateGatewayConfig(file('{ path: /a, websocket: true }')).ok).toBe(true);
    const post = issuesOf(validateGatewayConfig(file('{ path: /a, methods: [POST], websocket: true }')));
    expect(post).toEqual([expect.stringContaining('routes[0].websocket: a WebSocket handshake is a GET')]);
    expect(issuesOf(validateGatewayConfig(file('{ path: /a, websocket: "yes" }')))).toEqual([
      expect.stringContaining('routes[0].websocket'),
    ]);
  });
});

describe('docs/gateway.md', () => {
  it('shows a routing file that validates', async () => {
    const doc = await readFile(new URL('../../../../docs/gateway.md', import.meta.url), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toContain('routes:');
    const result = validateGatewayConfig(example ?? '');
    expect(result.ok ? result.config.routes.map((r) => r.path) : result.issues).toEqual([
      '/v1/stations',
      '/v1/live',
      '/healthz',
    ]);
  });
});

describe('examples/charging-api/gateway.yaml', () => {
  it('is valid and covers every route of the charging API', async () => {
    const config = await loadGatewayConfig(
      fileURLToPath(new URL('../../../../examples/charging-api/gateway.yaml', import.meta.url)),
    );
    expect(config.routes.map((r) => `${r.methods} ${r.path}${r.public ? ' (public)' : ''}`)).toEqual([
      'GET /healthz (public)',
      'GET /stations',
      'GET /stations/:id',
      'GET /sessions',
      'GET /sessions/:id',
      'POST /sessions',
      'POST /sessions/:id/stop',
    ]);
  });
});

describe('loadGatewayConfig', () => {
  it('throws VALIDATION with file:line:column for a bad file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'keyward-gateway-'));
    try {
      const file = path.join(dir, 'gateway.yaml');
      await writeFile(file, `${MINIMAL}    cost: lots\n`);
      await expect(loadGatewayConfig(file)).rejects.toMatchObject({
        code: 'VALIDATION',
        field: 'routes[0].cost',
        message: `invalid gateway config ${file}:\n  ${file}:6:11 routes[0].cost: must be an integer from 0 to 1000000 (got "lots")`,
      });
      await writeFile(file, MINIMAL);
      await expect(loadGatewayConfig(file)).resolves.toMatchObject({ routes: [{ path: '/v1/*' }] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
