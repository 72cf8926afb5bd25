import { Ajv, type Options, type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

const COMMON: Options = {
  // Every problem at once (bounded by the schemas' maxItems/maxLength and by MAX_FIELD_ERRORS).
  allErrors: true,
  // Unknown fields are an error, never silently dropped (Fastify's default removes them).
  removeAdditional: false,
  useDefaults: true,
  strict: true,
  // TypeBox unions of literals and nullable fields are plain anyOf, which strictTypes flags.
  strictTypes: false,
};

/**
 * Validation with two Ajv instances: bodies are JSON and must carry the right types
 * (`"5"` is not a number), while querystring, params and headers are text and get coerced
 * (`?limit=5` → 5). Returned as a Fastify validator compiler.
 *
 * @example app.setValidatorCompiler(createValidatorCompiler())
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const bodyAjv = new Ajv({ ...COMMON, coerceTypes: false });
  const textAjv = new Ajv({ ...COMMON, coerceTypes: 'array' });
  // Routes share schemas (params, pagination): compile each once per instance.
  const compiled = {
    body: new WeakMap<object, ValidateFunction>(),
    text: new WeakMap<object, ValidateFunction>(),
  };
  return ({ schema, httpPart }) => {
    const kind = httpPart === 'body' ? 'body' : 'text';
    const key = schema as object;
    let validate = compiled[kind].get(key);
    if (validate === undefined) {
      validate = (kind === 'body' ? bodyAjv : textAjv).compile(key);
      compiled[kind].set(key, validate);
    }
    return validate;
  };
}
