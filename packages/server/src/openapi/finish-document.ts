import { STATUS_CODES } from 'node:http';
import { SCHEMA_NAME_MARK } from './named-schemas.js';
import { REQUEST_EXAMPLES } from './request-examples.js';

/** The parts of an OpenAPI operation this module reads and writes. */
interface Operation {
  operationId?: string;
  requestBody?: { content?: Record<string, { example?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
}

interface Document {
  paths?: Record<string, Record<string, Operation> | undefined>;
  components?: { schemas?: Record<string, unknown> };
}

const PROBLEM_JSON = 'application/problem+json';

/** 4XX, 5XX, 400-599: every error answer keyward sends is a problem document. */
const isErrorStatus = (status: string): boolean => /^[45]/.test(status);

const ERROR_DESCRIPTIONS: Record<string, string> = {
  '4XX': 'Client error (RFC 9457 problem details; `errors` names each invalid field)',
  '5XX': 'Server error (RFC 9457 problem details), e.g. 503 while the database is unavailable',
};

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => value !== null && typeof value === 'object';

/**
 * Moves every schema carrying `SCHEMA_NAME_MARK` to `components.schemas[<name>]` (once)
 * and puts a `$ref` in its place; strips the mark from what stays.
 */
function referenceNamedSchemas(doc: Document): void {
  doc.components ??= {};
  doc.components.schemas ??= {};
  const schemas = doc.components.schemas;
  const visit = (node: unknown, componentName?: string): unknown => {
    if (!isNode(node)) return node;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = visit(node[i]);
      return node;
    }
    for (const key of Object.keys(node)) node[key] = visit(node[key]);
    const name = node[SCHEMA_NAME_MARK];
    if (typeof name !== 'string') return node;
    delete node[SCHEMA_NAME_MARK];
    if (name === componentName) return node;
    schemas[name] ??= node;
    return { $ref: `#/components/schemas/${name}` };
  };
  for (const [name, schema] of Object.entries(schemas)) schemas[name] = visit(schema, name);
  if (doc.paths !== undefined) visit(doc.paths);
}

/**
 * The last pass over the generated document: protocol schemas referenced by name, error
 * responses declared as `application/problem+json` (what the server sends; @fastify/swagger
 * only knows `application/json`), and an example on every request body. Mutates and returns
 * the document.
 */
export function finishDocument<T extends object>(document: T): T {
  const doc = document as Document;
  referenceNamedSchemas(doc);
  for (const methods of Object.values(doc.paths ?? {})) {
    if (methods === undefined) continue;
    for (const operation of Object.values(methods)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (response.description === 'Default Response') {
          response.description = ERROR_DESCRIPTIONS[status] ?? STATUS_CODES[status] ?? response.description;
        }
        if (!isErrorStatus(status) || response.content === undefined) continue;
        const { 'application/json': schema, ...others } = response.content;
        if (schema !== undefined) response.content = { [PROBLEM_JSON]: schema, ...others };
      }
      const json = operation.requestBody?.content?.['application/json'];
      const example =
        operation.operationId === undefined ? undefined : REQUEST_EXAMPLES[operation.operationId];
      if (json !== undefined && example !== undefined) json.example = example;
    }
  }
  return document;
}
