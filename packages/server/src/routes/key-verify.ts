import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  IdempotencyHeaders,
  ImportKeysBody,
  ImportKeysResponse,
  VerifyKeyBody,
  VerifyKeyResponse,
} from '@keyward/protocol';
import { importKeys } from '../services/key-import.js';
import { verifyForWorkspace } from '../services/verify.js';
import {
  actorOf,
  idempotentCreate,
  PROBLEM_RESPONSES,
  ROOT_KEY_SECURITY,
  type RouteContext,
} from './route-kit.js';

const tags = ['Keys'];
const security = ROOT_KEY_SECURITY;

/** `POST /v1/keys/verify` (the provider's backend checks a key) and `POST /v1/keys/import`. */
export const keyVerifyRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { deps } = ctx;
    app.post(
      '/v1/keys/verify',
      {
        config: { permission: 'keys:verify' },
        schema: {
          tags,
          security,
          summary: 'Verify a key: 200 with a code for every outcome',
          body: VerifyKeyBody,
          response: { 200: VerifyKeyResponse, ...PROBLEM_RESPONSES },
        },
      },
      (request) => verifyForWorkspace(deps, actorOf(request), request.body),
    );
    app.post(
      '/v1/keys/import',
      {
        config: { permission: 'keys:write' },
        schema: {
          tags,
          security,
          summary: 'Import up to 1000 keys (plaintext or SHA-256), all or nothing',
          body: ImportKeysBody,
          headers: IdempotencyHeaders,
          response: { 201: ImportKeysResponse, ...PROBLEM_RESPONSES },
        },
      },
      (request, reply) =>
        idempotentCreate(ctx, request, reply, async () => ({
          status: 201,
          body: await importKeys(deps, actorOf(request), request.body),
        })),
    );
  };
