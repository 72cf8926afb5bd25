import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdempotencyHeaders, ImportKeysBody, ImportKeysResponse } from '@keyward/protocol';
import { importKeys } from '../services/key-import.js';
import {
  actorOf,
  idempotentCreate,
  PROBLEM_RESPONSES,
  ROOT_KEY_SECURITY,
  type RouteContext,
} from './route-kit.js';

/** `POST /v1/keys/import`: keys issued elsewhere (plaintext or SHA-256), all or nothing. */
export const keyImportRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/v1/keys/import',
      {
        config: { permission: 'keys:write' },
        schema: {
          tags: ['Keys'],
          security: ROOT_KEY_SECURITY,
          summary: 'Import up to 1000 keys (plaintext or SHA-256), all or nothing',
          body: ImportKeysBody,
          headers: IdempotencyHeaders,
          response: { 201: ImportKeysResponse, ...PROBLEM_RESPONSES },
        },
      },
      (request, reply) =>
        idempotentCreate(ctx, request, reply, async (tx) => ({
          status: 201,
          body: await importKeys(tx, actorOf(request), request.body),
        })),
    );
  };
