import type { RouteConfig } from './config.js';
import {
  compareSpecificity,
  matchSegments,
  parseRequestPath,
  parseRoutePattern,
  type Segment,
} from './route-pattern.js';

/** A route ready for the hot path: its pattern parsed once, plus what the gateway attaches (its guard). */
export interface CompiledRoute<Extra> {
  readonly config: RouteConfig;
  readonly segments: readonly Segment[];
  /** Usage tag for a request of this method: `route:<name>`, or `route:GET /v1/stations/:id`. */
  readonly tagFor: (method: string) => string;
  readonly extra: Extra;
}

export type RouteMatch<Extra> =
  | { kind: 'route'; route: CompiledRoute<Extra> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' }
  | { kind: 'bad-path'; reason: string };

export interface RouteTable<Extra> {
  /** Most specific first. */
  readonly routes: readonly CompiledRoute<Extra>[];
  /** Finds the most specific route for a request; `rawPath` excludes the query string. */
  match(method: string, rawPath: string): RouteMatch<Extra>;
}

const admits = (methods: RouteConfig['methods'], method: string): boolean =>
  methods === '*' || methods.includes(method) || (method === 'HEAD' && methods.includes('GET'));

function tagger(config: RouteConfig): (method: string) => string {
  if (config.name !== null) {
    const tag = `route:${config.name}`;
    return () => tag;
  }
  // Node only parses known methods, so this cache stays small.
  const tags = new Map<string, string>();
  return (method) => {
    let tag = tags.get(method);
    if (tag === undefined) {
      tag = `route:${method} ${config.path}`;
      tags.set(method, tag);
    }
    return tag;
  };
}

/**
 * Compiles validated routes into an immutable lookup table. A reload builds a new table and
 * swaps the reference, so a request keeps the table it started with.
 *
 * @example compileRoutes(config.routes, () => null).match('GET', '/v1/stations/7')
 */
export function compileRoutes<Extra>(
  routes: readonly RouteConfig[],
  attach: (route: RouteConfig, tagFor: (method: string) => string) => Extra,
): RouteTable<Extra> {
  const compiled = routes.map((config): CompiledRoute<Extra> => {
    const tagFor = tagger(config);
    return Object.freeze({
      config,
      segments: parseRoutePattern(config.path),
      tagFor,
      extra: attach(config, tagFor),
    });
  });
  // Array.prototype.sort is stable: equally specific routes keep their order in the file.
  const ordered = Object.freeze([...compiled].sort((a, b) => compareSpecificity(a.segments, b.segments)));

  return Object.freeze({
    routes: ordered,
    match(method: string, rawPath: string): RouteMatch<Extra> {
      const path = parseRequestPath(rawPath);
      if (!path.ok) return { kind: 'bad-path', reason: path.reason };
      let allow: Set<string> | null = null;
      for (const route of ordered) {
        if (!matchSegments(route.segments, path.segments)) continue;
        if (admits(route.config.methods, method)) return { kind: 'route', route };
        allow ??= new Set();
        for (const m of route.config.methods === '*' ? [] : route.config.methods) {
          allow.add(m);
          if (m === 'GET') allow.add('HEAD');
        }
      }
      return allow ? { kind: 'method-not-allowed', allow: [...allow] } : { kind: 'not-found' };
    },
  });
}
