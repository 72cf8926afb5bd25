import type { FastifyBaseLogger } from 'fastify';
import { type Dispatcher, request } from 'undici';
import type { UpstreamConfig } from './config.js';

/** One upstream in rotation and its current health. */
export interface Upstream {
  readonly config: UpstreamConfig;
  /** `http://host:port` */
  readonly origin: string;
  /** `''` or `/base` (no trailing slash): prepended to every forwarded path. */
  readonly basePath: string;
  readonly healthy: boolean;
}

export interface UpstreamPool {
  readonly upstreams: readonly Upstream[];
  /** The next healthy upstream in round-robin order; null when every upstream is down. */
  next(): Upstream | null;
  /**
   * A request could not connect: take a health-checked upstream out of rotation now rather
   * than after the next failed probe (the probes bring it back).
   */
  reportConnectFailure(upstream: Upstream): void;
  /** Stops the probes. */
  close(): void;
}

export interface UpstreamPoolOptions {
  /** Connection pool used for probes (the proxy's, so probes reuse keep-alive connections). */
  dispatcher: Dispatcher;
  logger: FastifyBaseLogger;
  /** The pool this one replaces (on reload): upstreams with the same URL keep their health. */
  previous?: UpstreamPool | null;
}

interface State extends Upstream {
  healthy: boolean;
  failures: number;
  successes: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Round-robin over upstreams with active health checks: each upstream with a `healthCheck`
 * is probed with `GET <path>` every `intervalMs`; `unhealthyThreshold` failures in a row take
 * it out of rotation, `healthyThreshold` successes put it back. Upstreams start healthy.
 *
 * @example const pool = createUpstreamPool(config.upstreams, { dispatcher, logger }); pool.next()?.origin
 */
export function createUpstreamPool(
  configs: readonly UpstreamConfig[],
  { dispatcher, logger, previous = null }: UpstreamPoolOptions,
): UpstreamPool {
  const states: State[] = configs.map((config) => {
    const url = new URL(config.url);
    const before = previous?.upstreams.find((u) => u.config.url === config.url);
    return {
      config,
      origin: url.origin,
      basePath: url.pathname === '/' ? '' : url.pathname,
      healthy: before?.healthy ?? true,
      failures: 0,
      successes: 0,
      timer: null,
    };
  });
  let cursor = 0;
  let closed = false;

  const setHealth = (state: State, healthy: boolean, why: string) => {
    if (state.healthy === healthy) return;
    state.healthy = healthy;
    if (healthy) logger.info({ upstream: state.config.url }, 'upstream is healthy again');
    else logger.warn({ upstream: state.config.url, reason: why }, 'upstream is unhealthy: out of rotation');
  };

  const probe = async (state: State) => {
    const check = state.config.healthCheck;
    if (!check || closed) return;
    let failure: string | null = null;
    try {
      const response = await request(`${state.origin}${state.basePath}${check.path}`, {
        dispatcher,
        method: 'GET',
        headersTimeout: check.timeoutMs,
        bodyTimeout: check.timeoutMs,
        signal: AbortSignal.timeout(check.timeoutMs),
      });
      await response.body.dump();
      if (response.statusCode >= 400) failure = `health check answered ${response.statusCode}`;
    } catch (error) {
      failure = `health check failed: ${(error as Error).message}`;
    }
    if (closed) return;
    if (failure === null) {
      state.failures = 0;
      state.successes += 1;
      if (state.successes >= check.healthyThreshold) setHealth(state, true, 'probe succeeded');
    } else {
      state.successes = 0;
      state.failures += 1;
      if (state.failures >= check.unhealthyThreshold) setHealth(state, false, failure);
    }
  };

  const schedule = (state: State) => {
    const check = state.config.healthCheck;
    if (!check || closed) return;
    state.timer = setTimeout(() => {
      void probe(state).finally(() => schedule(state));
    }, check.intervalMs);
    state.timer.unref();
  };

  for (const state of states) {
    if (!state.config.healthCheck) continue;
    // Probe at once so that a dead upstream leaves rotation without waiting a full interval.
    void probe(state).finally(() => schedule(state));
  }

  return {
    upstreams: states,
    next() {
      for (let i = 0; i < states.length; i++) {
        const state = states[(cursor + i) % states.length] as State;
        if (state.healthy) {
          cursor = (cursor + i + 1) % states.length;
          return state;
        }
      }
      return null;
    },
    reportConnectFailure(upstream) {
      const state = states.find((s) => s === upstream);
      if (!state?.config.healthCheck) return;
      state.successes = 0;
      state.failures = state.config.healthCheck.unhealthyThreshold;
      setHealth(state, false, 'connection failed');
    },
    close() {
      closed = true;
      for (const state of states) if (state.timer) clearTimeout(state.timer);
    },
  };
}
