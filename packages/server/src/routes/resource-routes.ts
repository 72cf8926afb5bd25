import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdempotencyHeaders, IdParams, type RootPermission } from '@keyward/protocol';
import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyRequest, FastifySchema, FastifyTypeProviderDefault, RouteHandlerMethod } from 'fastify';
import type { Actor, ServiceDeps } from '../services/context.js';
import {
  actorOf,
  idempotentCreate,
  PROBLEM_RESPONSES,
  ROOT_KEY_SECURITY,
  type RouteContext,
} from './route-kit.js';

type App = Parameters<FastifyPluginAsyncTypebox>[0];

/** The reply of a DELETE: no body. */
const DELETED = { type: 'null', description: 'Deleted' };

/** `POST <path>`: creates one resource (201), under the request's `Idempotency-Key`. */
export interface CreateOperation<Body extends TSchema, Reply extends TSchema> {
  summary: string;
  body: Body;
  reply: Reply;
  run(deps: ServiceDeps, actor: Actor, body: Static<Body>): Promise<Static<Reply>>;
}

/** `GET <path>`: one page of the workspace's resources. */
export interface ListOperation<Query extends TSchema, Reply extends TSchema> {
  summary: string;
  query: Query;
  reply: Reply;
  run(deps: ServiceDeps, actor: Actor, query: Static<Query>): Promise<Static<Reply>>;
}

/** `GET <path>/:id`: one resource of the workspace (404 for another workspace's). */
export interface GetOperation<Reply extends TSchema> {
  summary: string;
  reply: Reply;
  run(deps: ServiceDeps, actor: Actor, id: string): Promise<Static<Reply>>;
}

/** `PATCH <path>/:id`: changes the fields sent. */
export interface UpdateOperation<Body extends TSchema, Reply extends TSchema> {
  summary: string;
  body: Body;
  reply: Reply;
  run(deps: ServiceDeps, actor: Actor, id: string, body: Static<Body>): Promise<Static<Reply>>;
}

/** `DELETE <path>/:id`: 204. */
export interface DeleteOperation {
  summary: string;
  run(deps: ServiceDeps, actor: Actor, id: string): Promise<void>;
}

/** One admin resource: where it lives, who may read and write it, and the operations it has. */
export interface ResourceRoutes<
  CreateBody extends TSchema,
  Created extends TSchema,
  Query extends TSchema,
  Page extends TSchema,
  View extends TSchema,
  UpdateBody extends TSchema,
  Updated extends TSchema,
> {
  /** The collection, e.g. `/v1/apis`; one resource is `<path>/:id`. */
  path: string;
  /** The OpenAPI tag the routes are listed under. */
  tag: string;
  /** The root-key permissions of the reads (GET) and of the writes (everything else). */
  read: RootPermission;
  write: RootPermission;
  create?: CreateOperation<CreateBody, Created>;
  list?: ListOperation<Query, Page>;
  get?: GetOperation<View>;
  update?: UpdateOperation<UpdateBody, Updated>;
  delete?: DeleteOperation;
}

/**
 * Registers the routes of one admin resource, all alike: `config.permission` (checked by
 * the root-key hook before the body is read), TypeBox schemas for validation, serialization
 * and the OpenAPI document, problem+json for every failure, and idempotent creates. Routes
 * a resource has beyond these (e.g. `/roll`) are registered beside it as usual.
 *
 * @example
 * registerResourceRoutes(app, ctx, { path: '/v1/apis', tag: 'APIs', read: 'apis:read', write: 'apis:write',
 *   get: { summary: 'Get an API', reply: ApiView, run: getApi } });
 */
export function registerResourceRoutes<
  CreateBody extends TSchema,
  Created extends TSchema,
  Query extends TSchema,
  Page extends TSchema,
  View extends TSchema,
  UpdateBody extends TSchema,
  Updated extends TSchema,
>(
  app: App,
  ctx: RouteContext,
  resource: ResourceRoutes<CreateBody, Created, Query, Page, View, UpdateBody, Updated>,
): void {
  const { deps } = ctx;
  const { path, read, write, create, list, get, update, delete: remove } = resource;
  const item = `${path}/:id`;
  // Fastify's TypeBox provider cannot resolve the request and reply types of a generic schema;
  // the types are checked where a resource is declared (each `run` against its schemas), and
  // every request below was validated against the very schema its type comes from.
  const routes = app.withTypeProvider<FastifyTypeProviderDefault>();
  const idOf = (request: FastifyRequest) => (request.params as Static<typeof IdParams>).id;
  const route = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    permission: RootPermission,
    { summary, status, reply, ...parts }: FastifySchema & { summary: string; status: number; reply: unknown },
    handler: RouteHandlerMethod,
  ) =>
    routes.route({
      method,
      url,
      config: { permission },
      schema: {
        tags: [resource.tag],
        security: ROOT_KEY_SECURITY,
        summary,
        ...parts,
        response: { [status]: reply, ...PROBLEM_RESPONSES },
      },
      handler,
    });

  if (create !== undefined) {
    const schema = {
      summary: create.summary,
      status: 201,
      reply: create.reply,
      body: create.body,
      headers: IdempotencyHeaders,
    };
    route('POST', path, write, schema, (request, reply) =>
      idempotentCreate(ctx, request, reply, async (tx) => ({
        status: 201,
        body: await create.run(tx, actorOf(request), request.body as Static<CreateBody>),
      })),
    );
  }
  if (list !== undefined) {
    const schema = { summary: list.summary, status: 200, reply: list.reply, querystring: list.query };
    route('GET', path, read, schema, (request) =>
      list.run(deps, actorOf(request), request.query as Static<Query>),
    );
  }
  if (get !== undefined) {
    const schema = { summary: get.summary, status: 200, reply: get.reply, params: IdParams };
    route('GET', item, read, schema, (request) => get.run(deps, actorOf(request), idOf(request)));
  }
  if (update !== undefined) {
    const schema = {
      summary: update.summary,
      status: 200,
      reply: update.reply,
      params: IdParams,
      body: update.body,
    };
    route('PATCH', item, write, schema, (request) =>
      update.run(deps, actorOf(request), idOf(request), request.body as Static<UpdateBody>),
    );
  }
  if (remove !== undefined) {
    const schema = { summary: remove.summary, status: 204, reply: DELETED, params: IdParams };
    route('DELETE', item, write, schema, async (request, reply) => {
      await remove.run(deps, actorOf(request), idOf(request));
      return reply.code(204).send();
    });
  }
}
