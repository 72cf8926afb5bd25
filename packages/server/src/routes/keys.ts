import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CreateKeyBody, IssuedKey, KeyPage, KeyView, ListKeysQuery, UpdateKeyBody } from '@keyward/protocol';
import { deleteKey } from '../services/key-lifecycle.js';
import { createKey, getKey, listKeys, updateKey } from '../services/keys.js';
import { registerResourceRoutes } from './resource-routes.js';
import type { RouteContext } from './route-kit.js';

/** `/v1/keys`: issue, list, read, update and delete keys (lifecycle actions are in `key-actions.ts`). */
export const keyRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    registerResourceRoutes(app, ctx, {
      path: '/v1/keys',
      tag: 'Keys',
      read: 'keys:read',
      write: 'keys:write',
      create: {
        summary: 'Issue a key (the plaintext key is in this reply only)',
        body: CreateKeyBody,
        reply: IssuedKey,
        run: createKey,
      },
      list: {
        summary: 'List keys, optionally of one API or consumer',
        query: ListKeysQuery,
        reply: KeyPage,
        run: listKeys,
      },
      get: { summary: 'Get a key', reply: KeyView, run: getKey },
      update: { summary: 'Update a key', body: UpdateKeyBody, reply: KeyView, run: updateKey },
      delete: { summary: 'Delete a key', run: deleteKey },
    });
  };
