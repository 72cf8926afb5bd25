import { KeywardError } from '@keyward/core';
import { holdsFor } from '../root-permissions.js';
import type { Actor } from './context.js';

/**
 * Resource-level checks for root keys scoped to APIs (`api.<apiId>.keys:write`). The route
 * guard lets such a key through to any `keys:*` route; these checks, run by every service
 * behind those routes, confine it to the keys of its APIs.
 */

/** The key-related permissions a root key can hold per API. */
export type KeyAccess = 'keys:read' | 'keys:write' | 'keys:verify';

/** True when the actor holds `access` for every API of the workspace. */
export const holdsWorkspaceWide = (actor: Actor, access: KeyAccess): boolean =>
  holdsFor(actor.permissions, access, null);

/** `FORBIDDEN` naming `field` unless the actor holds `access` for the API. */
export function requireApiAccess(actor: Actor, access: KeyAccess, apiId: string, field: string): void {
  if (holdsFor(actor.permissions, access, apiId)) return;
  throw new KeywardError('FORBIDDEN', `${field}: this root key lacks "${access}" for this API`, { field });
}

/**
 * For routes without an API in the request (`GET /v1/keys`, `POST /v1/keys/verify`): a root
 * key scoped to APIs must name one of its APIs in `field`; a workspace-wide key need not.
 */
export function requireApiNamed(
  actor: Actor,
  access: KeyAccess,
  apiId: string | undefined,
  field: string,
): void {
  if (holdsWorkspaceWide(actor, access)) return;
  if (apiId === undefined) {
    throw new KeywardError(
      'FORBIDDEN',
      `${field} is required: this root key holds "${access}" for some APIs only`,
      {
        field,
      },
    );
  }
  requireApiAccess(actor, access, apiId, field);
}

/**
 * Whether the actor may `access` a key of `apiId` it found: `ok`; `hidden` when it may not
 * even read it (answer as if the key did not exist); `forbidden` when it may read but not write.
 */
export function keyAccess(actor: Actor, access: KeyAccess, apiId: string): 'ok' | 'hidden' | 'forbidden' {
  if (holdsFor(actor.permissions, access, apiId)) return 'ok';
  return holdsFor(actor.permissions, 'keys:read', apiId) ? 'forbidden' : 'hidden';
}
