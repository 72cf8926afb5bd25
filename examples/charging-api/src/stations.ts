import type { FastifyInstance } from 'fastify';

export interface Connector {
  id: string;
  type: 'CCS' | 'CHAdeMO' | 'Type2';
  maxKw: number;
}

export interface Station {
  id: string;
  name: string;
  city: string;
  connectors: Connector[];
}

/** A small fixed network: the demo is about keys, not about a charging database. */
export const STATIONS: readonly Station[] = Object.freeze([
  {
    id: 'st_berlin_1',
    name: 'Berlin Hauptbahnhof',
    city: 'Berlin',
    connectors: [
      { id: 'c1', type: 'CCS', maxKw: 300 },
      { id: 'c2', type: 'Type2', maxKw: 22 },
    ],
  },
  {
    id: 'st_munich_1',
    name: 'München Ost',
    city: 'Munich',
    connectors: [{ id: 'c1', type: 'CCS', maxKw: 150 }],
  },
  {
    id: 'st_lyon_1',
    name: 'Lyon Part-Dieu',
    city: 'Lyon',
    connectors: [
      { id: 'c1', type: 'CHAdeMO', maxKw: 50 },
      { id: 'c2', type: 'CCS', maxKw: 150 },
    ],
  },
]);

export const findStation = (id: string): Station | undefined => STATIONS.find((s) => s.id === id);

/** `GET /stations` and `GET /stations/:id`: need `stations:read`, count against the key's `reads` limit. */
export async function stationRoutes(app: FastifyInstance): Promise<void> {
  const keyward = { permissions: 'stations:read', ratelimits: [{ name: 'reads' }], tags: () => ['stations'] };
  app.get('/stations', { config: { keyward } }, async () => ({ items: STATIONS }));
  app.get<{ Params: { id: string } }>('/stations/:id', { config: { keyward } }, async (request, reply) => {
    const station = findStation(request.params.id);
    if (station === undefined) return reply.code(404).send(notFound(`no station ${request.params.id}`));
    return station;
  });
}

/** An RFC 9457 problem for a missing resource, shaped like keyward's own answers. */
export const notFound = (detail: string) => ({
  type: 'about:blank',
  title: 'Not Found',
  status: 404,
  detail,
});
