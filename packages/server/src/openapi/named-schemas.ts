import * as protocol from '@keyward/protocol';

/**
 * Names the wire schemas of `@keyward/protocol` in the OpenAPI document, so that client
 * generators emit `KeyView`, `CreateKeyBody`, `Problem`... instead of one anonymous type
 * per use. Routes keep passing the TypeBox schemas themselves (validation is unchanged);
 * only the document's copy of each route schema is stamped: every subschema equal to an
 * exported protocol schema gets that schema's name as `$id`, which @fastify/swagger then
 * hoists into `components.schemas` and replaces with a `$ref` (see `registerOpenApi`).
 *
 * Equality is structural (canonical JSON of the TypeBox schema), because TypeBox copies a
 * schema when it is composed into another, so identity is lost.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const JSON_SCHEMA_KEYWORDS = ['type', 'anyOf', 'allOf', 'oneOf', 'const', 'enum'];

/** Object keys sorted at every level: two equal schemas give the same string. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );

const isSchema = (name: string, value: unknown): value is object =>
  /^[A-Z][a-z]/.test(name) &&
  value !== null &&
  typeof value === 'object' &&
  !Array.isArray(value) &&
  JSON_SCHEMA_KEYWORDS.some((keyword) => keyword in value);

/**
 * Canonical JSON → name, for every schema `@keyward/protocol` exports. Two exports with
 * the same structure would make the name depend on export order: the first one (in
 * alphabetical order) wins and a test pins that there is none.
 */
export const NAMED_SCHEMAS: ReadonlyMap<string, string> = (() => {
  const names = new Map<string, string>();
  for (const [name, value] of Object.entries(protocol)) {
    if (!isSchema(name, value)) continue;
    const key = canonical(JSON.parse(JSON.stringify(value)));
    if (!names.has(key)) names.set(key, name);
  }
  return names;
})();

/**
 * Distinct protocol schemas that share one structure (a test keeps this empty: a name must
 * not depend on export order). Aliases of one schema object (`ListRolesQuery = PageQuery`)
 * are one schema.
 */
export function ambiguousSchemaNames(): string[][] {
  const byKey = new Map<string, Map<object, string[]>>();
  for (const [name, value] of Object.entries(protocol)) {
    if (!isSchema(name, value)) continue;
    const key = canonical(JSON.parse(JSON.stringify(value)));
    const objects = byKey.get(key) ?? new Map<object, string[]>();
    objects.set(value, [...(objects.get(value) ?? []), name]);
    byKey.set(key, objects);
  }
  return [...byKey.values()]
    .filter((objects) => objects.size > 1)
    .map((objects) => [...objects.values()].flat());
}

/**
 * Marks a named schema in the document until `finishDocument` moves it to
 * `components.schemas`: @fastify/swagger drops `$id` from the schemas it leaves inline
 * (the route's top-level body and response schemas), but keeps extension keywords.
 */
export const SCHEMA_NAME_MARK = 'x-keyward-schema';

/** A deep copy of `schema` where every subschema that is a named protocol schema carries its name (`$id` and the mark). */
export function stampSchemaNames(schema: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(schema)) as Json;
  const visit = (node: Json): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    // Children first: their `$id` must not take part in the parent's comparison.
    const key = canonical(node);
    for (const child of Object.values(node)) visit(child);
    const name = NAMED_SCHEMAS.get(key);
    if (name === undefined) return;
    node.$id = name;
    node[SCHEMA_NAME_MARK] = name;
  };
  visit(copy);
  return copy;
}
