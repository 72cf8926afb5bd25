import type { OutgoingHttpHeaders } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { keywardHook, keywardPlugin } from '../fastify.js';
import { type BuildTestApp, type CommonOptions, ROUTES, routeReply, type TestApp } from './test-app.js';

const injected = (app: FastifyInstance): TestApp => ({
  async request({ method = 'GET', path, authorization, headers: extra = {} }) {
    // Node sends an array as one header line per value (the duplicate case).
    const headers = {
      ...extra,
      ...(authorization === undefined ? {} : { authorization }),
    } as OutgoingHttpHeaders;
    const res = await app.inject({ method, url: path, headers });
    const answered: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined) answered[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    let body: unknown = null;
    try {
      body = res.body === '' ? null : JSON.parse(res.body);
    } catch {
      // not JSON: left null
    }
    return { status: res.statusCode, headers: answered, body };
  },
  // inject hands any string to the app unchanged, CR/LF and NUL included: the parser sees it all.
  carried: (value) => value,
  close: () => app.close(),
});

/** The test routes protected by `keywardPlugin` and per-route `config.keyward`. */
export const buildFastifyPluginApp: BuildTestApp = async (common: CommonOptions) => {
  const app = Fastify();
  await app.register(keywardPlugin, common);
  for (const route of ROUTES) {
    app.route({
      method: route.method,
      url: route.path,
      config: { keyward: route.options },
      handler: async (request) => routeReply(route, request.keyward),
    });
  }
  app.get('/open', { config: { keyward: false } }, async () => ({ open: true }));
  await app.ready();
  return injected(app);
};

/** The test routes protected by `keywardHook` as each route's `preHandler`. */
export const buildFastifyHookApp: BuildTestApp = async (common: CommonOptions) => {
  const app = Fastify();
  for (const route of ROUTES) {
    app.route({
      method: route.method,
      url: route.path,
      preHandler: keywardHook({ ...common, ...route.options }),
      handler: async (request) => routeReply(route, request.keyward),
    });
  }
  await app.ready();
  return injected(app);
};
