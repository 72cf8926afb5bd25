import { KeywardError } from '@keyward/core';
import { createFailureThrottle } from '@keyward/sdk';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { type AppOptions, type ResolvedAppOptions, resolveAppOptions } from './app-options.js';
import { createAuthenticator, guardAdminRoutes, type RouteEntry } from './auth.js';
import { createSerializerCompiler } from './http/serializer.js';
import { createValidatorCompiler } from './http/validator.js';
import { toHttpFailure } from './http-errors.js';
import { createAppLogger, loggablePath, requestIdOf } from './logging.js';
import { registerMetrics } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { sendProblem } from './problem.js';
import { createRootKeyCache } from './root-key-cache.js';
import { alertRoutes } from './routes/alerts.js';
import { apiRoutes } from './routes/apis.js';
import { auditRoutes } from './routes/audit.js';
import { childKeyRoutes } from './routes/child-keys.js';
import { consumerRoutes } from './routes/consumers.js';
import { healthRoutes } from './routes/health.js';
import { keyActionRoutes } from './routes/key-actions.js';
import { keyImportRoutes } from './routes/key-import.js';
import { keyRotationRoutes } from './routes/key-rotation.js';
import { keyVerifyRoutes } from './routes/key-verify.js';
import { keyRoutes } from './routes/keys.js';
import { githubScanningRoutes, reportLeakRoutes } from './routes/leak-reports.js';
import { lifetimePolicyRoutes } from './routes/lifetime-policies.js';
import { roleRoutes } from './routes/roles.js';
import { rootKeyRoutes } from './routes/root-keys.js';
import type { RouteContext } from './routes/route-kit.js';
import { usageRoutes } from './routes/usage.js';
import { webhookRetryRoutes } from './routes/webhook-retry.js';
import { webhookRoutes } from './routes/webhooks.js';
import type { ServiceDeps } from './services/context.js';
import { createIdempotency } from './services/idempotency.js';
import { registerSessionAuth, registerSessionRoutes } from './sessions/register-sessions.js';

export type { AppOptions } from './app-options.js';

function fastifyOptions(options: ResolvedAppOptions): FastifyServerOptions {
  const { logger } = options;
  const logging =
    logger === false
      ? { logger: false }
      : logger === true
        ? { loggerInstance: createAppLogger() }
        : { loggerInstance: logger };
  return {
    ...logging,
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy,
    genReqId: requestIdOf,
    // keyward writes its own request line (see onResponse): Fastify's would log the raw URL.
    logController: new LogController({ disableRequestLogging: true }),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    frameworkErrors: (error, _request, reply) => sendProblem(reply, toHttpFailure(error)),
  };
}

/** Body parsing: JSON only (415 for anything else); an empty body is no body rather than an error. */
function configureParsers(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    // The default parser is callback-style; its declared type also allows a promise.
    void json(request, text, done);
  });
}

/** Error handling, 404s, response headers and (when `requestLog`) the request log line. */
function configureHttp(app: FastifyInstance, { requestLog }: { requestLog: boolean }): void {
  app.setErrorHandler((error, request, reply) => {
    const failure = toHttpFailure(error);
    if (failure.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, failure);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      toHttpFailure(new KeywardError('NOT_FOUND', `no route ${request.method} ${loggablePath(request.url)}`)),
    ),
  );
  // Hooks on every request are callback-style: an async hook costs a promise and a microtask turn each.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    // Admin replies hold keys, views and identities: no cache anywhere may keep them.
    if (request.url.startsWith('/v1/')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  // Without a logger there is no request line to build.
  if (requestLog) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.info(
        {
          method: request.method,
          path: loggablePath(request.url),
          route: request.routeOptions.url ?? null,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
          ip: request.ip,
          actor: request.principal?.rootKeyId ?? null,
        },
        'request',
      );
      done();
    });
  }
  // Every admin route must name the root-key permission it requires, or say it is public on
  // purpose: an unguarded route fails start-up. Every route is listed in `app.keywardRoutes`.
  const routes: RouteEntry[] = [];
  app.decorate('keywardRoutes', routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url, permission: route.config?.permission });
    }
    if (
      route.url.startsWith('/v1/') &&
      route.config?.permission === undefined &&
      route.config?.public !== true
    ) {
      throw new Error(`admin route ${route.method} ${route.url} declares no config.permission`);
    }
  });
}

/**
 * Builds keyward's whole HTTP app: the admin API (`/v1/...`, root-key Bearer auth), the
 * verify API (`POST /v1/keys/verify`), `/openapi.json`, `/docs`, `/healthz` and `/readyz`,
 * and, when given what they need, the usage routes, `/metrics`, alerts and webhooks.
 * Nothing is registered after it. It does not listen; call `app.listen()` (or
 * `app.inject()` in tests) and `app.close()`.
 *
 * @example
 * const engine = createEngine({ store });
 * const app = await buildApp({ store, engine, logger: true });
 * await app.listen({ port: 8787, host: '127.0.0.1' });
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const resolved = resolveAppOptions(options);
  const { store, engine, digester, now } = resolved;
  const app = Fastify(fastifyOptions(resolved));
  app.decorateRequest('principal', null);
  app.setValidatorCompiler(createValidatorCompiler());
  app.setSerializerCompiler(createSerializerCompiler());
  configureParsers(app);
  configureHttp(app, { requestLog: resolved.logger !== false });

  const cache = createRootKeyCache({
    ttlMs: resolved.rootKeyCacheTtlMs,
    maxEntries: 10_000,
    staleMs: resolved.staleWhileErrorMs,
  });
  // Root-key rolls and revokes on any node reach this one's cache through the engine's bus.
  const { bus } = resolved;
  if (bus !== null) {
    const unsubscribe = bus.subscribe((message) => cache.invalidate(message));
    app.addHook('onClose', async () => unsubscribe());
  }
  const forgetRootKey = async (rootKeyId: string): Promise<void> => {
    cache.forget(rootKeyId);
    if (bus === null) return;
    try {
      await bus.publish({ type: 'root_key', rootKeyId });
    } catch (error) {
      // The change is stored; other nodes drop the old secret when their entry expires.
      app.log.warn(
        { err: error, rootKeyId },
        'root-key invalidation not published: other nodes catch up on expiry',
      );
    }
  };
  const throttle = createFailureThrottle(resolved.throttle);
  const deps: ServiceDeps = {
    store,
    engine,
    digester,
    now,
    forgetRootKey,
    ...(resolved.monitoring === null ? {} : { monitoring: resolved.monitoring }),
    ...(resolved.webhooks === null ? {} : { webhooks: resolved.webhooks }),
  };
  // The dashboard's session cookie is tried first; a Bearer root key always wins over it.
  if (resolved.sessions !== null) await registerSessionAuth(app, deps, resolved.sessions);
  guardAdminRoutes(app, createAuthenticator({ store, engine, cache, throttle, now }));
  const ctx: RouteContext = { deps, idempotency: createIdempotency(deps) };
  await registerOpenApi(app, { docs: resolved.docs });
  await app.register(healthRoutes(resolved.readiness));
  await app.register(apiRoutes(ctx));
  await app.register(lifetimePolicyRoutes(ctx));
  await app.register(consumerRoutes(ctx));
  await app.register(keyRoutes(ctx));
  await app.register(keyActionRoutes(ctx));
  await app.register(keyRotationRoutes(ctx, resolved.usage));
  await app.register(keyImportRoutes(ctx));
  await app.register(keyVerifyRoutes(ctx));
  await app.register(childKeyRoutes(ctx));
  await app.register(roleRoutes(ctx));
  await app.register(rootKeyRoutes(ctx));
  await app.register(reportLeakRoutes(ctx));
  await app.register(githubScanningRoutes(ctx, resolved.githubKeys));
  await app.register(auditRoutes(ctx));
  if (resolved.monitoring !== null) await app.register(alertRoutes(ctx));
  if (resolved.webhooks !== null) {
    await app.register(webhookRoutes(ctx));
    await app.register(webhookRetryRoutes(ctx));
  }
  if (resolved.usage !== null) await app.register(usageRoutes({ usage: resolved.usage, store, now }));
  if (resolved.metrics !== null) registerMetrics(app, { metrics: resolved.metrics });
  if (resolved.sessions !== null) await registerSessionRoutes(app, deps, resolved.sessions, throttle);
  return app;
}
