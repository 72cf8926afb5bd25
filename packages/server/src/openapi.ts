import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { finishDocument } from './openapi/finish-document.js';
import { stampSchemaNames } from './openapi/named-schemas.js';
import { operationIdOf } from './openapi/operation-ids.js';

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
  'Usage',
  'Portal',
  'Dashboard',
  'Portal (customer)',
  'Operations',
];

/** The document's copy of a route schema: an `operationId`, and protocol schemas named for `$ref`s. */
const documentedSchema = (schema: FastifySchema, method: string, url: string): FastifySchema => {
  const { body, response, ...rest } = schema as FastifySchema & { operationId?: string };
  return {
    ...rest,
    operationId: operationIdOf(method, url),
    ...(body === undefined ? {} : { body: stampSchemaNames(body) }),
    ...(response === undefined ? {} : { response: stampSchemaNames(response) }),
  } as FastifySchema;
};

/**
 * OpenAPI 3.1 generated from the route schemas (the same TypeBox schemas the SDK types
 * come from), served at `/openapi.json`, and the Swagger UI at `/docs` from files bundled
 * in the package (no CDN: the docs work offline). Register before the routes.
 *
 * Shaped for client generators without touching the route files: a stable `operationId`
 * per operation (`openapi/operation-ids.ts`), request and response schemas that are
 * protocol schemas referenced from `components.schemas` by name, errors as
 * `application/problem+json`, and an example for every request body.
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
      servers: [
        { url: '/', description: 'The server that serves this document' },
        { url: 'http://127.0.0.1:8787', description: 'keyward on its default address' },
      ],
      tags: TAGS.map((name) => ({ name })),
      components: {
        securitySchemes: {
          rootKey: { type: 'http', scheme: 'bearer', description: 'A root key (`kwroot_…`)' },
          apiKeyBearer: {
            type: 'http',
            scheme: 'bearer',
            description: "An API's key (not a root key): `POST /v1/keys/children` mints a child of it",
          },
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
    // OpenAPI 3.1 is JSON Schema: `const` stays `const`.
    convertConstToEnum: false,
    // Named subschemas (stamped with `$id`) become `#/components/schemas/<name>`.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    transform: ({ schema, url, route }) => {
      const method = Array.isArray(route.method) ? String(route.method[0]) : String(route.method);
      return { schema: schema === undefined ? schema : documentedSchema(schema, method, url), url };
    },
    transformObject: (document) => finishDocument('openapiObject' in document ? document.openapiObject : {}),
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  if (options.docs) {
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { deepLinking: true } });
  }
}
