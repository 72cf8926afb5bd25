import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ConsumerPage,
  ConsumerView,
  CreateConsumerBody,
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
import { registerResourceRoutes } from './resource-routes.js';
import type { RouteContext } from './route-kit.js';

/** `/v1/consumers`: the provider's customers, owners of keys and of shared limits and quotas. */
export const consumerRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    registerResourceRoutes(app, ctx, {
      path: '/v1/consumers',
      tag: 'Consumers',
      read: 'consumers:read',
      write: 'consumers:write',
      create: {
        summary: 'Create a consumer',
        body: CreateConsumerBody,
        reply: ConsumerView,
        run: createConsumer,
      },
      list: {
        summary: 'List consumers (or find one by externalId)',
        query: ListConsumersQuery,
        reply: ConsumerPage,
        run: listConsumers,
      },
      get: { summary: 'Get a consumer', reply: ConsumerView, run: getConsumer },
      update: {
        summary: 'Update a consumer',
        body: UpdateConsumerBody,
        reply: ConsumerView,
        run: updateConsumer,
      },
      delete: { summary: 'Delete a consumer (its keys keep working without it)', run: deleteConsumer },
    });
  };
