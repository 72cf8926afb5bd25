import type { HealthCheckConfig, UpstreamConfig } from './config.js';
import { type ConfigChecker, MAX_MS } from './config-checks.js';
import type { ConfigPath } from './config-source.js';

/** Reads `upstreams`: absolute http(s) URLs (no credentials, query or fragment), each listed once, with optional health checks. */
export function readUpstreams(check: ConfigChecker, value: unknown): UpstreamConfig[] {
  const list = check.array(value, ['upstreams'], { min: 1 }) ?? [];
  const seen = new Set<string>();
  const upstreams: UpstreamConfig[] = [];
  list.forEach((item, i) => {
    const path = ['upstreams', i];
    const entry = check.object(item, path, ['url', 'healthCheck']);
    if (!entry) return;
    const url = readUpstreamUrl(check, entry.url, [...path, 'url']);
    if (url !== undefined && seen.has(url)) check.fail([...path, 'url'], 'is listed twice');
    if (url !== undefined) seen.add(url);
    const healthCheck =
      entry.healthCheck === undefined
        ? null
        : readHealthCheck(check, entry.healthCheck, [...path, 'healthCheck']);
    if (url !== undefined && healthCheck !== undefined) upstreams.push({ url, healthCheck });
  });
  return upstreams;
}

function readUpstreamUrl(check: ConfigChecker, value: unknown, path: ConfigPath): string | undefined {
  const raw = check.string(value, path);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return check.fail(path, 'must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return check.fail(path, 'must use http:// or https://');
  if (url.username || url.password) return check.fail(path, 'must not contain credentials');
  if (url.search || url.hash) return check.fail(path, 'must not have a query or fragment');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function readHealthCheck(
  check: ConfigChecker,
  value: unknown,
  path: ConfigPath,
): HealthCheckConfig | undefined {
  const allowed = ['path', 'intervalMs', 'timeoutMs', 'unhealthyThreshold', 'healthyThreshold'];
  const entry = check.object(value, path, allowed);
  if (!entry) return undefined;
  const probe = check.string(entry.path, [...path, 'path'], {
    pattern: /^\/[^\s?#]*(\?[^\s#]*)?$/,
    what: 'a path starting with "/"',
  });
  const intervalMs =
    entry.intervalMs === undefined
      ? 5000
      : check.integer(entry.intervalMs, [...path, 'intervalMs'], 100, MAX_MS);
  const timeoutMs =
    entry.timeoutMs === undefined
      ? Math.min(2000, intervalMs ?? 2000)
      : check.integer(entry.timeoutMs, [...path, 'timeoutMs'], 1, MAX_MS);
  const unhealthyThreshold =
    entry.unhealthyThreshold === undefined
      ? 2
      : check.integer(entry.unhealthyThreshold, [...path, 'unhealthyThreshold'], 1, 100);
  const healthyThreshold =
    entry.healthyThreshold === undefined
      ? 1
      : check.integer(entry.healthyThreshold, [...path, 'healthyThreshold'], 1, 100);
  if (
    probe === undefined ||
    intervalMs === undefined ||
    timeoutMs === undefined ||
    unhealthyThreshold === undefined ||
    healthyThreshold === undefined
  ) {
    return undefined;
  }
  return { path: probe, intervalMs, timeoutMs, unhealthyThreshold, healthyThreshold };
}
