import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdempotencyHeaders, IdParams, type RootPermission } from '@keyward/protocol';
import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyTypeProviderDefault } from 'fastify';
import type { Actor, ServiceDeps } from '../services/context.js';
import {
  actorOf,
  idempotentCreate,
  PROBLEM_RESPONSES,
  ROOT_KEY_SECURITY,
  type RouteContext,
} from './route-kit.js';

type App = Parameters<FastifyPluginAsyncTypebox>[0];

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
  const { path, read, write } = resource;
  const item = `${path}/:id`;
  const docs = (summary: string) => ({ tags: [resource.tag], security: ROOT_KEY_SECURITY, summary });
  const { create, list, get, update, delete: remove } = resource;
  // Fastify's TypeBox provider cannot resolve the request and reply types of a generic schema;
  // the types are checked where a resource is declared (each `run` against its schemas), and
  // every request below was validated against the very schema its type comes from.
  const routes = app.withTypeProvider<FastifyTypeProviderDefault>();
  const idOf = (params: unknown) => (params as Static<typeof IdParams>).id;

  if (create !== undefined)
    routes.post(
      path,
      {
        config: { permission: write },
        schema: {
          ...docs(create.summary),
          body: create.body,
          headers: IdempotencyHeaders,
          response: { 201: create.reply, ...PROBLEM_RESPONSES },
        },
      },
      (request, reply) =>
        idempotentCreate(ctx, request, reply, async () => ({
          status: 201,
          body: await create.run(deps, actorOf(request), request.body as Static<CreateBody>),
        })),
    );
  if (list !== undefined)
    routes.get(
      path,
      {
        config: { permission: read },
        schema: {
          ...docs(list.summary),
          querystring: list.query,
          response: { 200: list.reply, ...PROBLEM_RESPONSES },
        },
      },
      (request) => list.run(deps, actorOf(request), request.query as Static<Query>),
    );
  if (get !== undefined)
    routes.get(
      item,
      {
        config: { permission: read },
        schema: {
          ...docs(get.summary),
          params: IdParams,
          response: { 200: get.reply, ...PROBLEM_RESPONSES },
        },
      },
      (request) => get.run(deps, actorOf(request), idOf(request.params)),
    );
  if (update !== undefined)
    routes.patch(
      item,
      {
        config: { permission: write },
        schema: {
          ...docs(update.summary),
          params: IdParams,
          body: update.body,
          response: { 200: update.reply, ...PROBLEM_RESPONSES },
        },
      },
      (request) =>
        update.run(deps, actorOf(request), idOf(request.params), request.body as Static<UpdateBody>),
    );
  if (remove !== undefined)
    routes.delete(
      item,
      {
        config: { permission: write },
        schema: {
          ...docs(remove.summary),
          params: IdParams,
          response: { 204: { type: 'null', description: 'Deleted' }, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        await remove.run(deps, actorOf(request), idOf(request.params));
        return reply.code(204).send();
      },
    );
}
