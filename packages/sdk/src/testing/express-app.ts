import http from 'node:http';
import express from 'express';
import { keyward } from '../express.js';
import {
  type BuildTestApp,
  closeServer,
  listen,
  nodeCarried,
  ROUTES,
  routeReply,
  socketClient,
} from './test-app.js';

/** The test routes on Express 5, served on a loopback port. */
export const buildExpressApp: BuildTestApp = async (common) => {
  const app = express();
  for (const route of ROUTES) {
    const handler = keyward({ ...common, ...route.options });
    const method = route.method === 'GET' ? app.get.bind(app) : app.post.bind(app);
    method(route.path, handler, (req, res) => {
      res.json(routeReply(route, req.keyward));
    });
  }
  const server = http.createServer(app);
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
