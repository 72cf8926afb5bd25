import type { VerifyKeyResponse } from './schemas/verify.js';
import type { VerifiedIdentity, VerifyResult } from './verify-result.js';

/**
 * `POST /v1/keys/verify` answers with the `VerifyResult` flattened: the identity's fields
 * at the top level, null (empty lists for `permissions` and `roles`) when no key was found.
 * These two functions are the only translation between the two shapes; the type test
 * beside them (`verify-response.test.ts`) fails the typecheck when a field is added to one
 * shape and not the other.
 */

/** The identity fields of the wire answer for a verification that found no key. */
const noIdentity = () => ({
  keyId: null,
  workspaceId: null,
  apiId: null,
  consumer: null,
  name: null,
  meta: null,
  permissions: [],
  roles: [],
  expiresAt: null,
  environment: null,
  parentKeyId: null,
});

/**
 * The wire answer of a verification result.
 *
 * @example reply.send(toVerifyResponse(await engine.verifyKey(key)));
 */
export function toVerifyResponse(result: VerifyResult): VerifyKeyResponse {
  const { identity } = result;
  const fields = identity ?? noIdentity();
  return {
    valid: result.valid,
    code: result.code,
    keyId: fields.keyId,
    workspaceId: fields.workspaceId,
    apiId: fields.apiId,
    consumer: fields.consumer,
    name: fields.name,
    meta: fields.meta,
    permissions: fields.permissions,
    roles: fields.roles,
    credits: result.credits,
    ratelimits: result.ratelimits,
    expiresAt: fields.expiresAt,
    environment: fields.environment,
    parentKeyId: fields.parentKeyId,
    retryAfterMs: result.retryAfterMs,
    ...(result.wouldDeny === undefined ? {} : { wouldDeny: result.wouldDeny }),
    ...(result.warnings === undefined ? {} : { warnings: result.warnings }),
  };
}

/** The identity of a wire answer; null when it names no key; throws when it names one only in part. */
function identityOf(response: VerifyKeyResponse): VerifiedIdentity | null {
  const { keyId, workspaceId, apiId, environment } = response;
  if (keyId === null && workspaceId === null && apiId === null && environment === null) return null;
  if (keyId === null || workspaceId === null || apiId === null || environment === null)
    throw new Error('the verify answer names a key only in part (keyId, workspaceId, apiId, environment)');
  return {
    keyId,
    workspaceId,
    apiId,
    consumer: response.consumer,
    name: response.name,
    meta: response.meta,
    permissions: response.permissions,
    roles: response.roles,
    expiresAt: response.expiresAt,
    environment,
    // A server from before child keys sends no such field.
    parentKeyId: response.parentKeyId ?? null,
  };
}

/**
 * The verification result of a wire answer (what the SDK's remote verifier hands the
 * middleware); throws on an answer no keyward server gives (VALID without a key, a key
 * named in part, `valid` disagreeing with `code`).
 *
 * @example const result = fromVerifyResponse(await response.json());
 */
export function fromVerifyResponse(response: VerifyKeyResponse): VerifyResult {
  const identity = identityOf(response);
  const { code, ratelimits, credits, retryAfterMs } = response;
  if (response.valid !== (code === 'VALID'))
    throw new Error(`the verify answer says valid=${response.valid} with code ${code}`);
  if (code !== 'VALID') return { valid: false, code, identity, ratelimits, credits, retryAfterMs };
  if (identity === null) throw new Error('the verify answer is VALID without a key');
  const valid: VerifyResult = { valid: true, code, identity, ratelimits, credits, retryAfterMs: null };
  if (response.wouldDeny !== undefined && response.wouldDeny.length > 0) valid.wouldDeny = response.wouldDeny;
  if (response.warnings !== undefined) valid.warnings = response.warnings;
  return valid;
}
