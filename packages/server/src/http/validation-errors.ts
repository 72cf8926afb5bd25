import type { FieldError } from '@keyward/protocol';

/** The parts of an Ajv error this module reads (Fastify hands them over as `error.validation`). */
export interface AjvErrorLike {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** At most this many field errors are answered (the first ones); a huge invalid array stays a small reply. */
export const MAX_FIELD_ERRORS = 20;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

const decodePointer = (segment: string): string => segment.replaceAll('~1', '/').replaceAll('~0', '~');

/** `body` + `/ratelimits/0/limit` → `body.ratelimits[0].limit`. */
export function fieldPath(part: string, instancePath: string, property?: string): string {
  const segments = instancePath === '' ? [] : instancePath.split('/').slice(1).map(decodePointer);
  if (property !== undefined) segments.push(property);
  let path = part;
  for (const segment of segments) {
    if (/^(0|[1-9][0-9]*)$/.test(segment)) path += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(segment.slice(0, 64))}]`;
  }
  return path;
}

/** What one anyOf branch wanted, from its errors: a constant, a type, or the constraint it failed. */
function describeBranch(errors: readonly AjvErrorLike[]): { text: string; constant: boolean } | null {
  const constant = errors.find((e) => e.keyword === 'const');
  if (constant !== undefined) return { text: JSON.stringify(constant.params.allowedValue), constant: true };
  const type = errors.find((e) => e.keyword === 'type');
  if (type !== undefined) return { text: String(type.params.type).replaceAll(',', ' or '), constant: false };
  const other = errors[0];
  if (other?.message === undefined) return null;
  return { text: other.message.replace(/^must (be )?/, ''), constant: false };
}

/** A single error's field and message. */
function toFieldError(part: string, error: AjvErrorLike): FieldError {
  switch (error.keyword) {
    case 'required':
      return {
        field: fieldPath(part, error.instancePath, String(error.params.missingProperty)),
        message: 'is required',
      };
    case 'additionalProperties':
      return {
        field: fieldPath(part, error.instancePath, String(error.params.additionalProperty)),
        message: 'is not allowed',
      };
    default:
      return { field: fieldPath(part, error.instancePath), message: error.message ?? 'is invalid' };
  }
}

/** Errors that describe the inside of a value (a missing or extra property counts) rather than its type. */
const inside = (error: AjvErrorLike, anyOf: AjvErrorLike): boolean =>
  error.instancePath !== anyOf.instancePath ||
  error.keyword === 'required' ||
  error.keyword === 'additionalProperties';

const within = (error: AjvErrorLike, anyOf: AjvErrorLike): boolean =>
  error !== anyOf && error.schemaPath.startsWith(`${anyOf.schemaPath}/`);

function foldedMessage(anyOf: AjvErrorLike, branches: readonly AjvErrorLike[]): string {
  const byBranch = new Map<string, AjvErrorLike[]>();
  for (const error of branches) {
    const branch = error.schemaPath.slice(anyOf.schemaPath.length + 1).split('/')[0] ?? '';
    byBranch.set(branch, [...(byBranch.get(branch) ?? []), error]);
  }
  const options = [...byBranch.values()].map(describeBranch).filter((d) => d !== null);
  if (options.length === 0) return 'does not match any allowed form';
  const texts = [...new Set(options.map((o) => o.text))];
  return options.every((o) => o.constant)
    ? `must be one of ${texts.join(', ')}`
    : `must be ${texts.join(' or ')}`;
}

/**
 * Ajv errors (all of them, `allErrors: true`) → one field error per problem. The branches
 * of an `anyOf` (nullable fields, enums) fold into one message such as `must be string or
 * null` or `must be one of "daily", "monthly"`, unless a branch failed inside the value
 * (a nested field, a missing property), in which case those inner errors are reported.
 */
export function ajvFieldErrors(errors: readonly AjvErrorLike[], part: string): FieldError[] {
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  // The innermost anyOf enclosing an error is the one with the longest schema path.
  const enclosing = (error: AjvErrorLike): AjvErrorLike | undefined =>
    anyOfs.filter((a) => within(error, a)).sort((a, b) => b.schemaPath.length - a.schemaPath.length)[0];
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    let fieldError: FieldError | null = null;
    if (error.keyword === 'anyOf') {
      const branches = errors.filter((e) => within(e, error));
      if (!branches.some((e) => inside(e, error))) {
        fieldError = { field: fieldPath(part, error.instancePath), message: foldedMessage(error, branches) };
      }
    } else {
      const anyOf = enclosing(error);
      if (anyOf === undefined || inside(error, anyOf)) fieldError = toFieldError(part, error);
    }
    if (fieldError === null) continue;
    const id = `${fieldError.field}\u0000${fieldError.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(fieldError);
    if (out.length >= MAX_FIELD_ERRORS) break;
  }
  return out;
}
