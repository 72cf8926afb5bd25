import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/** `app.inject` with a root key and a JSON body. */
export function call(
  app: FastifyInstance,
  rootKey: string | null,
  method: Method,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const request: InjectOptions = {
    method,
    url,
    headers: {
      ...(rootKey === null ? {} : { authorization: `Bearer ${rootKey}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  };
  return app.inject(request);
}

/** A client bound to one root key. */
export const clientFor = (app: FastifyInstance, rootKey: string | null) => ({
  get: (url: string, headers?: Record<string, string>) => call(app, rootKey, 'GET', url, undefined, headers),
  post: (url: string, body?: unknown, headers?: Record<string, string>) =>
    call(app, rootKey, 'POST', url, body, headers),
  patch: (url: string, body?: unknown, headers?: Record<string, string>) =>
    call(app, rootKey, 'PATCH', url, body, headers),
  put: (url: string, body?: unknown, headers?: Record<string, string>) =>
    call(app, rootKey, 'PUT', url, body, headers),
  delete: (url: string, headers?: Record<string, string>) =>
    call(app, rootKey, 'DELETE', url, undefined, headers),
});
export type TestClient = ReturnType<typeof clientFor>;
