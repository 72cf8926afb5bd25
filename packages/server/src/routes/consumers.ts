import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ConsumerPage,
  ConsumerView,
  CreateConsumerBody,
  IdempotencyHeaders,
  IdParams,
  ListConsumersQuery,
  UpdateConsumerBody,
} from '@keyward/protocol';
import {
  createConsumer,
  deleteConsumer,
  getConsumer,
  listConsumers,
  updateConsumer,
} from '../services/consumers.js';
import {
  actorOf,
  idempotentCreate,
  PROBLEM_RESPONSES,
  ROOT_KEY_SECURITY,
  type RouteContext,
} from './route-kit.js';

const tags = ['Consumers'];
const security = ROOT_KEY_SECURITY;

/** `/v1/consumers`: the provider's customers, owners of keys and of shared limits and quotas. */
export const consumerRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { deps } = ctx;
    app.post(
      '/v1/consumers',
      {
        config: { permission: 'consumers:write' },
        schema: {
          tags,
          security,
          summary: 'Create a consumer',
          body: CreateConsumerBody,
          headers: IdempotencyHeaders,
          response: { 201: ConsumerView, ...PROBLEM_RESPONSES },
        },
      },
      (request, reply) =>
        idempotentCreate(ctx, request, reply, async () => ({
          status: 201,
          body: await createConsumer(deps, actorOf(request), request.body),
        })),
    );
    app.get(
      '/v1/consumers',
      {
        config: { permission: 'consumers:read' },
        schema: {
          tags,
          security,
          summary: 'List consumers (or find one by externalId)',
          querystring: ListConsumersQuery,
          response: { 200: ConsumerPage, ...PROBLEM_RESPONSES },
        },
      },
      (request) => listConsumers(deps, actorOf(request), request.query),
    );
    app.get(
      '/v1/consumers/:id',
      {
        config: { permission: 'consumers:read' },
        schema: {
          tags,
          security,
          summary: 'Get a consumer',
          params: IdParams,
          response: { 200: ConsumerView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => getConsumer(deps, actorOf(request), request.params.id),
    );
    app.patch(
      '/v1/consumers/:id',
      {
        config: { permission: 'consumers:write' },
        schema: {
          tags,
          security,
          summary: 'Update a consumer',
          params: IdParams,
          body: UpdateConsumerBody,
          response: { 200: ConsumerView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => updateConsumer(deps, actorOf(request), request.params.id, request.body),
    );
    app.delete(
      '/v1/consumers/:id',
      {
        config: { permission: 'consumers:write' },
        schema: {
          tags,
          security,
          summary: 'Delete a consumer (its keys keep working without it)',
          params: IdParams,
          response: { 204: { type: 'null', description: 'Deleted' }, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        await deleteConsumer(deps, actorOf(request), request.params.id);
        return reply.code(204).send();
      },
    );
  };
