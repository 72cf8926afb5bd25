import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileErrors, dereference, validate } from '@readme/openapi-parser';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { ambiguousSchemaNames } from './openapi/named-schemas.js';
import { fallbackOperationId, OPERATION_IDS, operationIdOf } from './openapi/operation-ids.js';
import { REQUEST_EXAMPLES } from './openapi/request-examples.js';
import { type RunningServer, startServer } from './start.js';

/**
 * The OpenAPI document as client generators read it: valid OpenAPI 3.1, one stable
 * `operationId` per operation, named schemas behind `$ref`s, problem+json errors, an
 * example for every request body. (That a generator's output type-checks is proved by
 * `examples/openapi-client`.)
 */
interface Response {
  content?: Record<string, { schema?: { $ref?: string } }>;
}
interface Operation {
  operationId?: string;
  requestBody?: { content: Record<string, { schema: { $ref?: string }; example?: unknown }> };
  responses: Record<string, Response>;
}
interface Doc {
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

type ParserInput = Parameters<typeof validate>[0];

let dir: string;
let server: RunningServer;
let doc: Doc;
let operations: Array<{ method: string; path: string; operation: Operation }>;

beforeAll(async () => {
  // The document of `keyward serve`, with every area (alerts, webhooks, usage).
  dir = await mkdtemp(path.join(tmpdir(), 'keyward-openapi-'));
  server = await startServer(
    loadConfig({ KEYWARD_DATA_DIR: dir, KEYWARD_PORT: '0', KEYWARD_LOG_LEVEL: 'silent' }),
  );
  doc = (await server.app.inject({ url: '/openapi.json' })).json();
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method, path, operation })),
  );
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 with servers', async () => {
    const result = await validate(structuredClone(doc) as unknown as ParserInput);
    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect(result.warnings).toEqual([]);
    expect(doc.servers?.map((server) => server.url)).toEqual(['/', 'http://127.0.0.1:8787']);
  });

  it('gives every operation the operationId of the table, each once', () => {
    const ids = operations.map(({ method, path, operation }) => {
      const expected = OPERATION_IDS[`${method.toUpperCase()} ${path}`];
      expect({ route: `${method} ${path}`, operationId: operation.operationId }).toEqual({
        route: `${method} ${path}`,
        operationId: expected,
      });
      return operation.operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
    // No stale entry: every id of the table names a documented operation.
    expect(new Set(Object.values(OPERATION_IDS))).toEqual(new Set(ids));
  });

  it('documents /v1/audit-events only (its old name /v1/audit is a redirect)', () => {
    expect(doc.paths['/v1/audit-events']?.get).toBeDefined();
    expect(doc.paths['/v1/audit']).toBeUndefined();
    // Outside /v1: health, and the same-origin endpoints of the dashboard and the portal.
    expect(
      Object.keys(doc.paths).filter((path) => !/^\/(v1|dashboard\/api|portal\/api)\//.test(path)),
    ).toEqual(['/healthz', '/readyz']);
  });

  it('references request and response bodies by name, and every $ref resolves', () => {
    for (const { method, path, operation } of operations) {
      // JSON bodies (the usage series also comes as text/csv, a plain string).
      const bodies = [
        operation.requestBody?.content ?? {},
        ...Object.values(operation.responses).map((response) => response.content ?? {}),
      ].flatMap((content) =>
        Object.entries(content)
          .filter(([type]) => type.endsWith('json'))
          .map(([, body]) => body),
      );
      for (const body of bodies) {
        expect({ route: `${method} ${path}`, ref: body.schema?.$ref }).toEqual({
          route: `${method} ${path}`,
          ref: expect.stringMatching(/^#\/components\/schemas\/[A-Z][A-Za-z]+$/),
        });
      }
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (match) => match[1] as string,
    );
    expect(refs.length).toBeGreaterThan(100);
    for (const name of new Set(refs)) expect(doc.components.schemas).toHaveProperty(name);
    expect(Object.keys(doc.components.schemas).filter((name) => !/^[A-Z][A-Za-z]+$/.test(name))).toEqual([]);
    expect(JSON.stringify(doc)).not.toContain('x-keyward-schema');
  });

  it('names no two different protocol schemas alike', () => {
    expect(ambiguousSchemaNames()).toEqual([]);
  });

  it('declares every error response as application/problem+json with the Problem schema', () => {
    let errors = 0;
    for (const { method, path, operation } of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!/^[45]/.test(status)) continue;
        errors++;
        expect({ route: `${method} ${path} ${status}`, content: response.content }).toEqual({
          route: `${method} ${path} ${status}`,
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        });
      }
    }
    expect(errors).toBeGreaterThanOrEqual(operations.length);
  });

  it('has an example for every request body that the body schema accepts', async () => {
    const resolved = (await dereference(structuredClone(doc) as unknown as ParserInput)) as unknown as Doc;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const withBody = operations.filter(({ operation }) => operation.requestBody !== undefined);
    expect(withBody.length).toBeGreaterThan(10);
    for (const { method, path } of withBody) {
      const json = resolved.paths[path]?.[method]?.requestBody?.content['application/json'];
      expect({ route: `${method} ${path}`, example: json?.example !== undefined }).toEqual({
        route: `${method} ${path}`,
        example: true,
      });
      const check = ajv.compile(json?.schema ?? {});
      expect({
        route: `${method} ${path}`,
        valid: check(json?.example),
        errors: check.errors ?? null,
      }).toEqual({
        route: `${method} ${path}`,
        valid: true,
        errors: null,
      });
    }
    const documented = new Set(withBody.map(({ operation }) => operation.operationId));
    expect(Object.keys(REQUEST_EXAMPLES).filter((id) => !documented.has(id))).toEqual([]);
  });
});

describe('operationIdOf', () => {
  it('reads the table with Fastify or OpenAPI path syntax', () => {
    expect(operationIdOf('GET', '/v1/keys/:id')).toBe('getKey');
    expect(operationIdOf('post', '/v1/keys/{id}/roll')).toBe('rollKey');
  });

  it('falls back to a stable name for a route the table lacks', () => {
    expect(operationIdOf('GET', '/v1/things/:id/sub-items')).toBe('getV1ThingsIdSubItems');
    expect(fallbackOperationId('DELETE', '/v1/things/{id}')).toBe('deleteV1ThingsId');
  });
});
