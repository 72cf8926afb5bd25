import { randomUUID } from 'node:crypto';
import type { KeywardIdentity } from '@keyward/sdk';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findStation, notFound } from './stations.js';

export interface ChargingSession {
  id: string;
  stationId: string;
  connectorId: string;
  /** Who started it: the key's consumer (the fleet), or the key itself when it has none. */
  owner: string;
  status: 'charging' | 'stopped';
  startedAt: string;
  stoppedAt: string | null;
}

/** Sessions live in memory: restart the demo and they are gone. */
export interface SessionBook {
  sessions: Map<string, ChargingSession>;
}

export const createSessionBook = (): SessionBook => ({ sessions: new Map() });

/** A customer sees and stops only its own sessions: ownership comes from the verified key. */
const ownerOf = (request: FastifyRequest): string => {
  const identity = request.keyward as KeywardIdentity;
  return identity.consumer?.externalId ?? identity.keyId;
};

const problem = (reply: FastifyReply, status: number, title: string, detail: string) =>
  reply.code(status).type('application/problem+json').send({ type: 'about:blank', title, status, detail });

const StartBody = {
  type: 'object',
  required: ['stationId', 'connectorId'],
  additionalProperties: false,
  properties: {
    stationId: { type: 'string', maxLength: 64 },
    connectorId: { type: 'string', maxLength: 16 },
  },
} as const;

/**
 * `GET /sessions`, `GET /sessions/:id` (`sessions:read`, limit `reads`) and
 * `POST /sessions`, `POST /sessions/:id/stop` (`sessions:write`, limit `writes`).
 */
export function sessionRoutes(book: SessionBook) {
  return async (app: FastifyInstance): Promise<void> => {
    const read = { permissions: 'sessions:read', ratelimits: [{ name: 'reads' }], tags: () => ['sessions'] };
    const write = {
      permissions: 'sessions:write',
      ratelimits: [{ name: 'writes' }],
      tags: () => ['sessions'],
    };
    const mine = (request: FastifyRequest, id: string) => {
      const session = book.sessions.get(id);
      return session !== undefined && session.owner === ownerOf(request) ? session : undefined;
    };

    app.get('/sessions', { config: { keyward: read } }, async (request) => ({
      items: [...book.sessions.values()].filter((s) => s.owner === ownerOf(request)),
    }));

    app.get<{ Params: { id: string } }>(
      '/sessions/:id',
      { config: { keyward: read } },
      async (request, reply) => {
        return (
          mine(request, request.params.id) ??
          reply.code(404).send(notFound(`no session ${request.params.id}`))
        );
      },
    );

    app.post<{ Body: { stationId: string; connectorId: string } }>(
      '/sessions',
      { config: { keyward: write }, schema: { body: StartBody } },
      async (request, reply) => {
        const { stationId, connectorId } = request.body;
        const station = findStation(stationId);
        if (station === undefined || !station.connectors.some((c) => c.id === connectorId)) {
          return problem(
            reply,
            422,
            'Unprocessable Content',
            `no connector ${connectorId} at station ${stationId}`,
          );
        }
        const busy = [...book.sessions.values()].some(
          (s) => s.status === 'charging' && s.stationId === stationId && s.connectorId === connectorId,
        );
        if (busy)
          return problem(reply, 409, 'Conflict', `connector ${connectorId} at ${stationId} is in use`);
        const session: ChargingSession = {
          id: `ses_${randomUUID()}`,
          stationId,
          connectorId,
          owner: ownerOf(request),
          status: 'charging',
          startedAt: new Date().toISOString(),
          stoppedAt: null,
        };
        book.sessions.set(session.id, session);
        return reply.code(201).send(session);
      },
    );

    app.post<{ Params: { id: string } }>(
      '/sessions/:id/stop',
      { config: { keyward: write } },
      async (request, reply) => {
        const session = mine(request, request.params.id);
        if (session === undefined) return reply.code(404).send(notFound(`no session ${request.params.id}`));
        if (session.status === 'charging') {
          session.status = 'stopped';
          session.stoppedAt = new Date().toISOString();
        }
        return session;
      },
    );
  };
}
