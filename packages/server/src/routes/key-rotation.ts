import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ExtendGraceBody, IdParams, KeyRotationView } from '@keyward/protocol';
import {
  type CredentialReader,
  endKeyGrace,
  extendKeyGrace,
  getKeyRotation,
} from '../services/key-rotation.js';
import { actorOf, PROBLEM_RESPONSES, ROOT_KEY_SECURITY, type RouteContext } from './route-kit.js';

const tags = ['Keys'];
const security = ROOT_KEY_SECURITY;

/** A key's rotation: the latest roll, who still uses the old secret, and its grace period extended or ended. */
export const keyRotationRoutes =
  (ctx: RouteContext, reader: CredentialReader): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { deps } = ctx;
    app.get(
      '/v1/keys/:id/rotation',
      {
        config: { permission: 'keys:read' },
        schema: {
          tags,
          security,
          summary: "A key's latest roll, and the use of its old and new secret since",
          params: IdParams,
          response: { 200: KeyRotationView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => getKeyRotation(deps, reader, actorOf(request), request.params.id),
    );
    app.post(
      '/v1/keys/:id/rotation/extend',
      {
        config: { permission: 'keys:write' },
        schema: {
          tags,
          security,
          summary: "Extend the running grace period of a key's old secret",
          params: IdParams,
          body: ExtendGraceBody,
          response: { 200: KeyRotationView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => extendKeyGrace(deps, reader, actorOf(request), request.params.id, request.body),
    );
    app.post(
      '/v1/keys/:id/rotation/end',
      {
        config: { permission: 'keys:write' },
        schema: {
          tags,
          security,
          summary: "End the grace period now: the key's old secrets stop verifying",
          params: IdParams,
          response: { 200: KeyRotationView, ...PROBLEM_RESPONSES },
        },
      },
      (request) => endKeyGrace(deps, reader, actorOf(request), request.params.id),
    );
  };
