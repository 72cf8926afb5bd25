import fastJson from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';

/**
 * Response serialization with fast-json-stringify (as Fastify's default), one compiled
 * serializer per schema object: the routes share a handful of response schemas (problem
 * details on every route), and compiling each once keeps start-up fast. A response
 * schema also drops any field it does not list, a second guard behind the view functions.
 */
export function createSerializerCompiler(): FastifySerializerCompiler<unknown> {
  const compiled = new WeakMap<object, (doc: unknown) => string>();
  return ({ schema }) => {
    const key = schema as object;
    let serialize = compiled.get(key);
    if (serialize === undefined) {
      serialize = fastJson(schema as Parameters<typeof fastJson>[0]);
      compiled.set(key, serialize);
    }
    return serialize;
  };
}
