import type http from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { type KeywardEnv, keyward } from '../hono.js';
import {
  type BuildTestApp,
  closeServer,
  listen,
  nodeCarried,
  ROUTES,
  routeReply,
  socketClient,
} from './test-app.js';

/** The test routes on Hono, served by @hono/node-server on a loopback port. */
export const buildHonoApp: BuildTestApp = async (common) => {
  const app = new Hono<KeywardEnv>();
  for (const route of ROUTES) {
    const handler = keyward({ ...common, ...route.options });
    const method = route.method === 'GET' ? app.get.bind(app) : app.post.bind(app);
    method(route.path, handler, (c) => c.json(routeReply(route, c.get('keyward'))));
  }
  const server = createAdaptorServer({ fetch: app.fetch }) as http.Server;
  await listen(server);
  const client = socketClient(server);
  return {
    request: client.request,
    carried: nodeCarried,
    async close() {
      client.close();
      await closeServer(server);
    },
  };
};
