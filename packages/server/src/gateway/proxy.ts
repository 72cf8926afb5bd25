import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import replyFrom from '@fastify/reply-from';
import type { Engine, UsageSink } from '@keyward/core';
import {
  type Answer,
  createFailureThrottle,
  type FailureThrottleOptions,
  redactedPath,
  redactSecrets,
  type Verifier,
} from '@keyward/sdk';
import { localVerifier } from '@keyward/sdk/local';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { Agent, type Dispatcher } from 'undici';
import { toHttpFailure } from '../http-errors.js';
import { requestIdOf } from '../logging.js';
import type { GatewayConfig } from './config.js';
import { forwardRequestHeaders, forwardResponseHeaders } from './forward-headers.js';
import {
  badGateway,
  badPath,
  gatewayTimeout,
  methodNotAllowed,
  notFound,
  sendGatewayProblem as sendProblem,
} from './gateway-problems.js';
import { createGatewayState, type GatewayState } from './gateway-state.js';
import type { Upstream } from './upstream-pool.js';
import { acceptUpgrades, declaresBody, isUpgrade, openTunnel } from './websocket-tunnel.js';

export interface GatewayOptions {
  /** Verifies keys in-process (through the SDK's `localVerifier`, like the middleware's local mode). */
  engine: Engine;
  /** A validated configuration (`loadGatewayConfig`). */
  config: GatewayConfig;
  /** Default: no logging. */
  logger?: FastifyBaseLogger;
  /** Which hops may set X-Forwarded-For (Fastify's `trustProxy`). Default false: the socket address is the client. */
  trustProxy?: boolean | string[];
  /** Receives a usage event for each request to a public route (keyed requests are recorded by the engine). */
  usage?: UsageSink;
  /** Brute-force throttling of invalid keys per client address. Default: 20 failures a minute. `false` turns it off. */
  throttle?: FailureThrottleOptions | false;
  /** Kept-alive connections per upstream origin. Default 128. */
  connections?: number;
  /** Longest wait for a TCP (and TLS) connection to an upstream, in ms (then 504). Default 5000. */
  connectTimeoutMs?: number;
}

export interface Gateway {
  /** The gateway's own Fastify instance (listen on it, or `inject` in tests). */
  readonly app: FastifyInstance;
  /** The configuration in force. */
  readonly config: GatewayConfig;
  /**
   * Swaps in a new configuration atomically: new requests use it, requests in flight finish
   * under the one they started with. Upstream health carries over for unchanged URLs.
   */
  apply(config: GatewayConfig): void;
  /** Stops accepting, lets in-flight requests finish, closes WebSocket tunnels and upstream connections. */
  close(): Promise<void>;
}

const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUTS = new Set([
  'FST_REPLY_FROM_GATEWAY_TIMEOUT',
  'FST_REPLY_FROM_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);
const noRetry = () => null;

const codeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;

/** A denial of the SDK's guard, sent as it is (its body already names the request). */
const deny = (reply: FastifyReply, answer: Extract<Answer, { allow: false }>) =>
  reply.code(answer.status).headers(answer.headers).send(answer.body);

/** True when the query string names `_method` (which some frameworks honour as the method). */
const hasMethodOverride = (query: string): boolean =>
  query.split('&').some((pair) => {
    const name = pair.split('=', 1)[0] ?? '';
    try {
      return decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase() === '_method';
    } catch {
      return name.toLowerCase().includes('_method');
    }
  });

/**
 * Builds keyward's gateway: a Fastify instance that matches each request against the route
 * table, verifies its key with the SDK's guard (the same answers as every middleware),
 * and streams it to an upstream with `@fastify/reply-from` over a keep-alive undici pool.
 * Unmatched paths are denied (404). See docs/gateway.md.
 *
 * @example
 * const gateway = await buildGateway({ engine, config: await loadGatewayConfig('gateway.yaml') });
 * await gateway.app.listen(config.listen);
 */
export async function buildGateway(options: GatewayOptions): Promise<Gateway> {
  const { engine, logger, trustProxy = false, usage, connections = 128, connectTimeoutMs = 5000 } = options;
  const verifier: Verifier = localVerifier(engine);
  const throttle = options.throttle === false ? false : createFailureThrottle(options.throttle ?? {});
  const agent = new Agent({ connections, pipelining: 1, connect: { timeout: connectTimeoutMs } });
  // Each upstream request takes the body idle timeout of the configuration in force when it is sent.
  const dispatcher = {
    request: ((opts: Dispatcher.RequestOptions, callback: never) =>
      agent.request(
        { ...opts, bodyTimeout: state.config.idleTimeoutMs },
        callback,
      )) as unknown as Dispatcher['request'],
  };

  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    // Fastify's own request lines log the raw URL (a key may sit in it): the gateway writes its own.
    logController: new LogController({ disableRequestLogging: true }),
    // The caller's X-Request-Id when sane, else a random UUID (never a counter that repeats across nodes).
    genReqId: requestIdOf,
    trustProxy,
    // Malformed percent-encoding in the path, caught by the router (the target is not echoed: it may hold a secret).
    frameworkErrors: (_error, _request, reply) => {
      void sendProblem(reply, badPath('the request target is malformed'));
    },
  });
  const log = app.log;
  let state: GatewayState = createGatewayState(options.config, {
    verifier,
    throttle,
    dispatcher: agent,
    logger: log,
  });
  const tunnels = new Set<Duplex>();

  app.removeAllContentTypeParsers();
  // Bodies stay streams: reply-from pipes them upstream as they arrive.
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  await app.register(replyFrom, { undici: dispatcher, disableRequestLogging: true });
  acceptUpgrades(app);

  app.setNotFoundHandler((_request, reply) => sendProblem(reply, notFound()));
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.raw.method,
        path: redactedPath(request.raw.url ?? '/'),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
  // The server's one mapping of thrown errors: fixed texts, never echoed request bytes.
  app.setErrorHandler((error, request, reply) => {
    const { code, status, detail } = toHttpFailure(error);
    if (status >= 500)
      request.log.error(
        { err: { message: redactSecrets(error instanceof Error ? error.message : String(error)) } },
        'gateway error',
      );
    return sendProblem(reply, { code, detail });
  });

  const upstreamFailed = (reply: FastifyReply, upstream: Upstream, error: unknown) => {
    const cause = (error as { cause?: unknown }).cause;
    const code = codeOf(cause) ?? codeOf(error);
    if (code !== undefined && CONNECT_FAILURES.has(code)) state.pool.reportConnectFailure(upstream);
    const timeout = TIMEOUTS.has(codeOf(error) ?? '') || TIMEOUTS.has(code ?? '');
    reply.log.warn({ upstream: upstream.config.url, code, timeout }, 'upstream request failed');
    return sendProblem(reply, timeout ? gatewayTimeout() : badGateway());
  };

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const current = state;
    const { raw } = request;
    const target = raw.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    const method = raw.method ?? 'GET';
    if (queryAt !== -1 && hasMethodOverride(target.slice(queryAt + 1)))
      return sendProblem(reply, badPath('a "_method" query parameter (a method override) is not accepted'));
    const match = current.table.match(method, path);
    if (match.kind === 'bad-path') return sendProblem(reply, badPath(match.reason));
    if (match.kind === 'not-found') return sendProblem(reply, notFound());
    if (match.kind === 'method-not-allowed') return sendProblem(reply, methodNotAllowed(match.allow));

    const { route } = match;
    let answer: Extract<Answer, { allow: true }> | null = null;
    if (route.extra.guard) {
      const verdict = await route.extra.guard(request);
      if (!verdict.allow) return deny(reply, verdict);
      answer = verdict;
    } else {
      usage?.record({
        time: Date.now(),
        workspaceId: null,
        apiId: current.config.apiId,
        keyId: null,
        consumerId: null,
        code: 'VALID',
        cost: 0,
        ip: request.ip,
        tags: [route.tagFor(method), 'public'],
      });
    }

    const upstream = current.pool.next();
    if (!upstream) return sendProblem(reply, badGateway('No healthy upstream is available.'));
    const timeoutMs = route.config.timeoutMs ?? current.config.timeoutMs;
    const extraHeaders = answer?.headers ?? {};
    const forward = (headers: IncomingMessage['headers']) => {
      headers['x-request-id'] = String(request.id);
      return forwardRequestHeaders(headers, {
        keyHeader: current.config.keyHeader,
        identity: answer?.identity ?? null,
        remoteAddress: raw.socket.remoteAddress,
        protocol: request.protocol,
        host: raw.headers.host,
      });
    };

    // Only WebSocket, only where the route allows it; any other Upgrade is served as plain HTTP.
    if (isUpgrade(raw) && route.config.websocket) {
      const result = await openTunnel(raw, {
        origin: upstream.origin,
        path: `${upstream.basePath}${target}`,
        headers: forward({ ...raw.headers }),
        responseHeaders: extraHeaders,
        timeoutMs,
        open: tunnels,
        onSwitch: () => reply.hijack(),
      });
      if (result.kind === 'open') return reply;
      if (result.kind === 'failed')
        return upstreamFailed(
          reply,
          upstream,
          result.timeout ? { code: 'FST_REPLY_FROM_GATEWAY_TIMEOUT' } : result.error,
        );
      return reply
        .code(result.response.statusCode ?? 502)
        .headers(forwardResponseHeaders(result.response.headers, extraHeaders))
        .send(result.response);
    }

    // reply-from sends no body with GET or HEAD (a body there has no defined meaning).
    if (request.body === undefined && method !== 'GET' && method !== 'HEAD' && declaresBody(raw))
      request.body = raw;
    return reply.from(`${upstream.origin}${upstream.basePath}${path}`, {
      timeout: timeoutMs,
      retryDelay: noRetry,
      rewriteRequestHeaders: (_request, headers) => forward(headers),
      rewriteHeaders: (headers) => forwardResponseHeaders(headers, extraHeaders),
      onError: (failed, { error }) => void upstreamFailed(failed as FastifyReply, upstream, error),
    });
  };

  app.all('/', handle);
  app.all('/*', handle);

  let closing: Promise<void> | null = null;
  return {
    app,
    get config() {
      return state.config;
    },
    apply(config) {
      const previous = state;
      state = createGatewayState(config, { verifier, throttle, dispatcher: agent, logger: log, previous });
      previous.pool.close();
    },
    close() {
      closing ??= (async () => {
        state.pool.close();
        for (const socket of tunnels) socket.destroy();
        await app.close();
        await agent.close();
      })();
      return closing;
    },
  };
}
