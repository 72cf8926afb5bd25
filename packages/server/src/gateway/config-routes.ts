import { parsePermissionQuery } from '@keyward/core';
import type { RouteConfig } from './config.js';
import { type ConfigChecker, MAX_MS } from './config-checks.js';
import type { ConfigPath } from './config-source.js';
import { parseRoutePattern, patternShape } from './route-pattern.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const LIMIT_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Reads `routes`: pattern, methods, public flag, permission query, cost, named limits, timeout and WebSocket flag of each. */
export function readRoutes(
  check: ConfigChecker,
  value: unknown,
  locate: (path: ConfigPath) => { line: number },
): RouteConfig[] {
  const list = check.array(value, ['routes'], { min: 1 }) ?? [];
  const routes: RouteConfig[] = [];
  list.forEach((item, i) => {
    const path = ['routes', i];
    const at = (field: string): ConfigPath => [...path, field];
    const allowed = [
      'name',
      'methods',
      'path',
      'public',
      'permissions',
      'dryRunPermissions',
      'cost',
      'ratelimits',
      'timeoutMs',
      'websocket',
    ];
    const entry = check.object(item, path, allowed);
    if (!entry) return;
    const before = check.issues.length;
    const name =
      entry.name === undefined
        ? null
        : (check.string(entry.name, at('name'), {
            pattern: /^[\x21-\x7e ]{1,100}$/,
            what: 'printable ASCII, at most 100 characters',
          }) ?? null);
    const methods = readMethods(check, entry.methods, at('methods'));
    const pattern = check.string(entry.path, at('path'));
    if (pattern !== undefined) {
      try {
        parseRoutePattern(pattern);
      } catch (error) {
        check.fail(at('path'), (error as Error).message);
      }
    }
    const isPublic = entry.public === undefined ? false : check.boolean(entry.public, at('public'));
    if (isPublic) {
      for (const field of ['permissions', 'dryRunPermissions', 'cost', 'ratelimits']) {
        if (entry[field] !== undefined)
          check.fail(at(field), 'a public route takes no key, so it cannot require this', 'key');
      }
    }
    const permissions = readQuery(check, entry.permissions, at('permissions'));
    const dryRunPermissions = readQuery(check, entry.dryRunPermissions, at('dryRunPermissions'));
    const cost =
      entry.cost === undefined ? null : (check.integer(entry.cost, at('cost'), 0, 1_000_000) ?? null);
    const ratelimits =
      entry.ratelimits === undefined ? null : readRatelimits(check, entry.ratelimits, at('ratelimits'));
    const timeoutMs =
      entry.timeoutMs === undefined
        ? null
        : (check.integer(entry.timeoutMs, at('timeoutMs'), 1, MAX_MS) ?? null);
    const websocket = entry.websocket === undefined ? false : check.boolean(entry.websocket, at('websocket'));
    if (websocket === true && methods !== undefined && methods !== '*' && !methods.includes('GET'))
      check.fail(at('websocket'), 'a WebSocket handshake is a GET: the route must accept GET');
    if (
      check.issues.length > before ||
      websocket === undefined ||
      methods === undefined ||
      pattern === undefined ||
      isPublic === undefined
    )
      return;
    routes.push({
      name,
      methods,
      path: pattern,
      public: isPublic,
      permissions,
      dryRunPermissions,
      cost,
      ratelimits,
      timeoutMs,
      websocket,
      line: locate(path).line,
    });
    reportShadowed(check, routes, i);
  });
  return routes;
}

/** A permission query field: null when absent; a malformed one is reported at its position. */
function readQuery(check: ConfigChecker, value: unknown, path: ConfigPath): string | null {
  if (value === undefined) return null;
  const query = check.string(value, path);
  if (query === undefined) return null;
  try {
    parsePermissionQuery(query);
    return query;
  } catch (error) {
    check.fail(path, (error as Error).message.replace(/^permissions: /, ''));
    return null;
  }
}

/** Two routes with the same path shape and a shared method: the second could never match. */
function reportShadowed(check: ConfigChecker, routes: readonly RouteConfig[], index: number): void {
  const route = routes.at(-1);
  if (!route) return;
  const shape = patternShape(parseRoutePattern(route.path));
  const overlaps = (a: RouteConfig['methods'], b: RouteConfig['methods']) =>
    a === '*' || b === '*' || a.some((method) => b.includes(method));
  const earlier = routes
    .slice(0, -1)
    .find((r) => patternShape(parseRoutePattern(r.path)) === shape && overlaps(r.methods, route.methods));
  if (earlier)
    check.fail(
      ['routes', index, 'path'],
      `can never match: the route on line ${earlier.line} has the same path and method`,
    );
}

function readMethods(
  check: ConfigChecker,
  value: unknown,
  path: ConfigPath,
): RouteConfig['methods'] | undefined {
  if (value === undefined || value === '*') return '*';
  const list = typeof value === 'string' ? [value] : check.array(value, path, { min: 1 });
  if (!list) return undefined;
  const methods: string[] = [];
  list.forEach((method, i) => {
    const where = typeof value === 'string' ? path : [...path, i];
    const upper = typeof method === 'string' ? method.toUpperCase() : '';
    if (!METHODS.includes(upper)) check.fail(where, `must be "*" or one of ${METHODS.join(', ')}`);
    else if (!methods.includes(upper)) methods.push(upper);
  });
  return methods;
}

function readRatelimits(check: ConfigChecker, value: unknown, path: ConfigPath): RouteConfig['ratelimits'] {
  const list = check.array(value, path) ?? [];
  const limits: Array<{ name: string; cost?: number }> = [];
  list.forEach((item, i) => {
    const entry = check.object(item, [...path, i], ['name', 'cost']);
    if (!entry) return;
    const name = check.string(entry.name, [...path, i, 'name'], {
      pattern: LIMIT_NAME,
      what: 'a limit name ([A-Za-z0-9_.:-], 1-64 characters)',
    });
    const cost =
      entry.cost === undefined ? undefined : check.integer(entry.cost, [...path, i, 'cost'], 0, 1_000_000);
    if (name !== undefined && limits.some((limit) => limit.name === name))
      check.fail([...path, i, 'name'], 'is listed twice');
    else if (name !== undefined && (entry.cost === undefined || cost !== undefined)) {
      limits.push(cost === undefined ? { name } : { name, cost });
    }
  });
  return limits;
}
