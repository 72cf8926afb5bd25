import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { KeywardError } from '@keyward/core';
import { HealthResponse, Problem, ReadinessResponse } from '@keyward/protocol';
import { toHttpFailure } from '../http-errors.js';
import { sendProblem } from '../problem.js';

export type Readiness = () => Promise<Record<string, 'up' | 'down'>>;

/** `/healthz`: the process answers. `/readyz`: every dependency answers (503 naming the ones down). */
export const healthRoutes =
  (readiness: Readiness): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/healthz',
      { schema: { tags: ['Operations'], summary: 'Liveness', response: { 200: HealthResponse } } },
      async () => ({ status: 'ok' as const }),
    );
    app.get(
      '/readyz',
      {
        schema: {
          tags: ['Operations'],
          summary: 'Readiness',
          response: { 200: ReadinessResponse, 503: Problem },
        },
      },
      async (_request, reply) => {
        let checks: Record<string, 'up' | 'down'>;
        try {
          checks = await readiness();
        } catch {
          checks = { readiness: 'down' };
        }
        const down = Object.keys(checks).filter((name) => checks[name] !== 'up');
        if (down.length === 0) return { status: 'ready' as const, checks };
        const failure = toHttpFailure(new KeywardError('UNAVAILABLE', `not ready: ${down.join(', ')} down`));
        return sendProblem(reply, failure, { checks });
      },
    );
  };
