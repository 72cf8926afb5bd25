import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateGatewayConfig } from './config.js';
import { parseRequestPath } from './route-pattern.js';
import { compileRoutes } from './route-table.js';

const tableFor = (routes: string) => {
  const result = validateGatewayConfig(`upstreams: [{ url: "http://127.0.0.1:1" }]\nroutes:\n${routes}`);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return compileRoutes(result.config.routes, (route) => route.line);
};

const lineOf = (table: ReturnType<typeof tableFor>, method: string, path: string) => {
  const match = table.match(method, path);
  return match.kind === 'route' ? match.route.extra : match.kind;
};

describe('compileRoutes', () => {
  const table = tableFor(`
  - { path: "/v1/*" }
  - { methods: [GET], path: "/v1/stations/:id" }
  - { methods: [GET, POST], path: "/v1/stations" }
  - { methods: [GET], path: "/v1/stations/nearby" }
  - { methods: [DELETE], path: "/v1/stations/:id" }
  - { methods: [GET], path: "/v1/stations/:id/*" }
  - { methods: [GET], path: "/health", public: true }
`);

  it('picks the most specific route whatever the order in the file', () => {
    expect(lineOf(table, 'GET', '/v1/stations/nearby')).toBe(7);
    expect(lineOf(table, 'GET', '/v1/stations/42')).toBe(5);
    expect(lineOf(table, 'DELETE', '/v1/stations/42')).toBe(8);
    expect(lineOf(table, 'POST', '/v1/stations')).toBe(6);
    expect(lineOf(table, 'GET', '/v1/stations/42/sessions/7')).toBe(9);
    expect(lineOf(table, 'GET', '/v1/stations/42/')).toBe(9);
    // Falls through to the catch-all when the specific route lacks the method.
    expect(lineOf(table, 'PUT', '/v1/stations/42')).toBe(4);
  });

  it('lets "*" match the bare prefix and everything below it', () => {
    expect(lineOf(table, 'GET', '/v1')).toBe(4);
    expect(lineOf(table, 'GET', '/v1/')).toBe(4);
    expect(lineOf(table, 'PATCH', '/v1/a/b/c')).toBe(4);
    expect(lineOf(table, 'GET', '/v10')).toBe('not-found');
  });

  it('denies unmatched paths and answers 405 with Allow where the path exists', () => {
    expect(lineOf(table, 'GET', '/')).toBe('not-found');
    expect(lineOf(table, 'GET', '/admin')).toBe('not-found');
    expect(lineOf(table, 'GET', '/health/')).toBe('not-found');
    expect(table.match('POST', '/health')).toEqual({ kind: 'method-not-allowed', allow: ['GET', 'HEAD'] });
    expect(lineOf(table, 'HEAD', '/health')).toBe(10);
  });

  it('matches decoded segments but refuses paths that could be read two ways', () => {
    expect(lineOf(table, 'GET', '/v1/st%61tions/nearby')).toBe(7);
    for (const path of [
      '/v1/stations/..',
      '/v1/%2e%2E/admin',
      '/v1/./x',
      '/v1/a%2fb',
      '/v1/a%5Cb',
      '/v1\\x',
      '/v1/%zz',
      'v1',
      '/v1/stations#/../admin',
      '/health#x',
    ]) {
      expect(table.match('GET', path).kind, path).toBe('bad-path');
    }
  });

  it('tags usage with the route name or the method and pattern', () => {
    const named = tableFor('  - { name: stations, path: "/s" }\n  - { path: "/t/:id" }\n');
    const [s, t] = named.routes.map((route) => route.tagFor('GET'));
    expect([s, t].sort()).toEqual(['route:GET /t/:id', 'route:stations']);
  });
});

describe('parseRequestPath', () => {
  it('never throws and never lets a dot segment through', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z.%/2eEfF5cC\\]{0,30}$/), (suffix) => {
        const parsed = parseRequestPath(`/${suffix}`);
        if (!parsed.ok) return;
        expect(parsed.segments.filter((s) => s === '.' || s === '..' || s.includes('/'))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });
});
