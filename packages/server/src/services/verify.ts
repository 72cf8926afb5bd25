import { isIP } from 'node:net';
import { KeywardError, parsePermissionQuery, type VerifyOptions, type VerifyResult } from '@keyward/core';
import { toVerifyResponse, type VerifyKeyBody, type VerifyKeyResponse } from '@keyward/protocol';
import { requireApiNamed } from './api-access.js';
import type { Actor, ServiceDeps } from './context.js';
import { inPart } from './input-checks.js';

/** The answer for an unknown key: nothing about any key. */
const NOT_FOUND: VerifyResult = Object.freeze({
  valid: false,
  code: 'NOT_FOUND',
  identity: null,
  ratelimits: [],
  credits: null,
  retryAfterMs: null,
});

function options(actor: Actor, body: VerifyKeyBody): VerifyOptions {
  const request: VerifyOptions = { workspaceId: actor.workspaceId };
  if (body.apiId !== undefined) request.apiId = body.apiId;
  if (body.permissions !== undefined) request.permissions = body.permissions;
  if (body.ratelimits !== undefined) request.ratelimits = body.ratelimits;
  if (body.credits !== undefined) request.credits = body.credits;
  if (body.ip !== undefined) request.ip = body.ip;
  if (body.tags !== undefined) request.tags = body.tags;
  if (body.keywardFormatOnly === true) request.keywardFormatOnly = true;
  if (body.dryRunPermissions !== undefined) request.dryRunPermissions = body.dryRunPermissions;
  if (body.client !== undefined) request.client = body.client;
  return request;
}

/**
 * Verification for the provider's backend (`POST /v1/keys/verify`): every outcome is an
 * answer, never an error. Only keys of the caller's workspace can be found: an `apiId` of
 * another workspace, or a key of another workspace, answers `NOT_FOUND` like an unknown
 * key (the engine checks both before any limit or credit is touched). No store read here:
 * while the database fails, cached keys keep verifying. A malformed request (permission
 * query, IP) is `VALIDATION`, never a denial.
 */
export async function verifyForWorkspace(
  deps: ServiceDeps,
  actor: Actor,
  body: VerifyKeyBody,
): Promise<VerifyKeyResponse> {
  requireApiNamed(actor, 'keys:verify', body.apiId, 'body.apiId');
  if (body.permissions !== undefined) {
    try {
      parsePermissionQuery(body.permissions);
    } catch (error) {
      throw inPart(error, 'body');
    }
  }
  if (body.dryRunPermissions !== undefined) {
    try {
      parsePermissionQuery(body.dryRunPermissions);
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(/^permissions/, '') : '';
      throw new KeywardError('VALIDATION', `body.dryRunPermissions${message}`, {
        field: 'body.dryRunPermissions',
        cause: error,
      });
    }
  }
  if (body.ip !== undefined && isIP(body.ip) === 0) {
    throw new KeywardError('VALIDATION', 'body.ip is not an IPv4 or IPv6 address', { field: 'body.ip' });
  }
  let result: VerifyResult;
  try {
    result = await deps.engine.verifyKey(body.key, options(actor, body));
  } catch (error) {
    throw inPart(error, 'body');
  }
  const { identity } = result;
  return toVerifyResponse(
    identity === null || identity.workspaceId !== actor.workspaceId ? NOT_FOUND : result,
  );
}
