import fastifyCookie from '@fastify/cookie';
import type { FailureThrottle } from '@keyward/sdk';
import type { FastifyInstance } from 'fastify';
import { dashboardSessionRoutes } from '../routes/dashboard-session.js';
import { portalAdminRoutes } from '../routes/portal-admin.js';
import { portalApiRoutes } from '../routes/portal-api.js';
import type { ServiceDeps } from '../services/context.js';
import { dashboardFiles } from '../static/dashboard-files.js';
import { createSessionAuthenticator } from './session-auth.js';
import type { ResolvedSessionOptions } from './session-options.js';

/**
 * Cookies, and the dashboard session hook that lets the session cookie stand in for a
 * root key on admin routes. Call before the root-key hook is added (hooks run in order).
 */
export async function registerSessionAuth(
  app: FastifyInstance,
  service: ServiceDeps,
  options: ResolvedSessionOptions,
): Promise<void> {
  await app.register(fastifyCookie);
  app.addHook('onRequest', createSessionAuthenticator({ service, options }));
}

/** The dashboard's sign-in, the portal (admin side and customer side) and the UI's static files. */
export async function registerSessionRoutes(
  app: FastifyInstance,
  service: ServiceDeps,
  options: ResolvedSessionOptions,
  throttle: FailureThrottle,
): Promise<void> {
  const { stores, publicOrigin } = options;
  await app.register(async (scope) => {
    // Session answers name who is signed in: no cache may keep them.
    scope.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });
    await scope.register(dashboardSessionRoutes({ service, options }, throttle));
    await scope.register(
      portalApiRoutes({ service, stores, publicOrigin }, { service, stores, usage: options.usage }),
    );
  });
  await app.register(
    portalAdminRoutes({ service, stores, linkTtlMs: options.portalLinkTtlMs }, publicOrigin),
  );
  await app.register(dashboardFiles(options.staticDir));
  prunePeriodically(app, service, options);
}

const HOUR = 3_600_000;

/**
 * Deletes sessions and portal links a day after they expired or ended (the audit log keeps
 * their story), hourly; any node may do it, the deletes are idempotent. A failure waits
 * for the next hour.
 */
function prunePeriodically(
  app: FastifyInstance,
  service: ServiceDeps,
  options: ResolvedSessionOptions,
): void {
  const prune = async () => {
    const before = service.now() - 24 * HOUR;
    try {
      await options.stores.dashboard.prune(before);
      await options.stores.portal.prune(before);
    } catch (error) {
      app.log.warn({ err: error }, 'pruning old sessions failed; retrying in an hour');
    }
  };
  const timer = setInterval(() => void prune(), HOUR);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
