import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** Route tags in the order the docs show them. */
const TAGS = [
  'APIs',
  'Consumers',
  'Keys',
  'Roles',
  'Root keys',
  'Audit',
  'Alerts',
  'Webhooks',
  'Portal',
  'Dashboard',
  'Portal (customer)',
  'Operations',
];

/**
 * OpenAPI 3.1 generated from the route schemas (the same TypeBox schemas the SDK types
 * come from), served at `/openapi.json`, and the Swagger UI at `/docs` from files bundled
 * in the package (no CDN: the docs work offline). Register before the routes.
 */
export async function registerOpenApi(app: FastifyInstance, options: { docs: boolean }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'keyward',
        version: '1',
        description:
          'Self-hosted API keys: issue, verify, limit and audit. Admin routes take a root key as a Bearer token; ' +
          'errors are RFC 9457 problem details (application/problem+json).',
      },
      tags: TAGS.map((name) => ({ name })),
      components: {
        securitySchemes: {
          rootKey: { type: 'http', scheme: 'bearer', description: 'A root key (`kwroot_…`)' },
          dashboardSession: {
            type: 'apiKey',
            in: 'cookie',
            name: 'keyward_session',
            description:
              'The dashboard session (POST /dashboard/api/session); also accepted on admin routes, with `X-Keyward-Csrf` and a same-origin `Origin`',
          },
          portalSession: {
            type: 'apiKey',
            in: 'cookie',
            name: 'keyward_portal',
            description: 'A customer portal session (POST /portal/api/exchange), with `X-Keyward-Csrf`',
          },
        },
      },
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  if (options.docs) {
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { deepLinking: true } });
  }
}
