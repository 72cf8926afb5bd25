import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { VerifyKeyBody, VerifyKeyResponse } from '@keyward/protocol';
import { verifyForWorkspace } from '../services/verify.js';
import { actorOf, PROBLEM_RESPONSES, ROOT_KEY_SECURITY, type RouteContext } from './route-kit.js';

/** `POST /v1/keys/verify`: the provider's backend checks a key (200 with a code for every outcome). */
export const keyVerifyRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { deps } = ctx;
    app.post(
      '/v1/keys/verify',
      {
        config: { permission: 'keys:verify' },
        schema: {
          tags: ['Keys'],
          security: ROOT_KEY_SECURITY,
          summary: 'Verify a key: 200 with a code for every outcome',
          body: VerifyKeyBody,
          response: { 200: VerifyKeyResponse, ...PROBLEM_RESPONSES },
        },
      },
      (request) => verifyForWorkspace(deps, actorOf(request), request.body),
    );
  };
