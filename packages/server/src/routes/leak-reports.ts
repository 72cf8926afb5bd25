import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  GithubSecretFeedback,
  GithubSecretReport,
  GithubSignatureHeaders,
  ReportLeakBody,
  ReportLeakResponse,
} from '@keyward/protocol';
import type { GithubKeySource } from '../secret-scanning/github-keys.js';
import { receiveGithubReport, reportLeaks } from '../services/leak-reports.js';
import { actorOf, PROBLEM_RESPONSES, ROOT_KEY_SECURITY, type RouteContext } from './route-kit.js';

/** GitHub posts a few matches per message; a body this large is not from it. */
export const GITHUB_REPORT_BODY_LIMIT = 1_000_000;

/**
 * `POST /v1/secret-scanning/github`: GitHub's secret-scanning partner endpoint. Public (no
 * root key): GitHub's ECDSA signature over the raw body authenticates it, so this plugin,
 * and only this one, keeps the body as the bytes that arrived. The schemas document the
 * route; the service checks the signature first, then the body.
 */
export const githubScanningRoutes =
  (ctx: RouteContext, keys: GithubKeySource): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: GITHUB_REPORT_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    app.post(
      '/v1/secret-scanning/github',
      {
        bodyLimit: GITHUB_REPORT_BODY_LIMIT,
        config: { public: true },
        // Documented, not validated here: nothing in the body is read before the signature holds.
        validatorCompiler: () => () => true,
        schema: {
          tags: ['Secret scanning'],
          summary: "GitHub secret scanning: act on keys GitHub found exposed (signed by GitHub's key)",
          headers: GithubSignatureHeaders,
          body: GithubSecretReport,
          response: { 200: GithubSecretFeedback, ...PROBLEM_RESPONSES },
        },
      },
      (request) =>
        receiveGithubReport(ctx.deps, keys, {
          identifier: request.headers['github-public-key-identifier'],
          signature: request.headers['github-public-key-signature'],
          body: Buffer.isBuffer(request.body) ? request.body : undefined,
          ip: request.ip ?? null,
          requestId: request.id,
        }),
    );
  };

/** `POST /v1/keys/report-leak`: a provider's own tooling or another scanner reports exposed keys. */
export const reportLeakRoutes =
  (ctx: RouteContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/v1/keys/report-leak',
      {
        config: { permission: 'keys:write' },
        schema: {
          tags: ['Keys'],
          security: ROOT_KEY_SECURITY,
          summary: "Report keys found exposed: each is acted on by its workspace's leakedKeys policy",
          body: ReportLeakBody,
          response: { 200: ReportLeakResponse, ...PROBLEM_RESPONSES },
        },
      },
      (request) => reportLeaks(ctx.deps, actorOf(request), request.body),
    );
  };
