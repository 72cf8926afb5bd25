import { KeywardError } from '@keyward/core';
import {
  API_PERMISSION_PATTERN,
  API_SCOPED_PERMISSIONS,
  type ApiScopedPermission,
  ROOT_PERMISSIONS,
  type RootPermission,
} from '@keyward/protocol';

/**
 * Root-key permissions: workspace-wide ones (`keys:write`, `*`) and per-API ones
 * (`api.<apiId>.keys:write`). One rule decides what a permission covers, and every check
 * (the route guard, the services, escalation between root keys) goes through it:
 * `*` covers everything; a permission covers itself; a `:write` covers the `:read` of the
 * same resource; a workspace-wide permission covers the same permission for every API.
 */

const KNOWN: ReadonlySet<string> = new Set(ROOT_PERMISSIONS);
const SCOPABLE: ReadonlySet<string> = new Set(API_SCOPED_PERMISSIONS);
const API_PERMISSION = new RegExp(API_PERMISSION_PATTERN);

/** A permission split into the API it is limited to (null: workspace-wide) and what it allows. */
export interface ParsedPermission {
  apiId: string | null;
  permission: string;
}

/** `api.api_1.keys:read` → `{ apiId: 'api_1', permission: 'keys:read' }`; `keys:read` → `{ apiId: null, ... }`. */
export function parsePermission(value: string): ParsedPermission {
  const match = API_PERMISSION.exec(value);
  return match === null
    ? { apiId: null, permission: value }
    : { apiId: match[1] as string, permission: match[2] as string };
}

/** The permissions that imply `permission` (itself, and its resource's `:write` for a `:read`). */
const impliers = (permission: string): string[] =>
  permission.endsWith(':read') ? [permission, `${permission.slice(0, -':read'.length)}:write`] : [permission];

/**
 * True when `granted` holds `permission` workspace-wide, or, given an `apiId`, at least for
 * that API.
 *
 * @example holdsFor(['api.api_1.keys:write'], 'keys:read', 'api_1') // true
 */
export function holdsFor(granted: readonly string[], permission: string, apiId: string | null): boolean {
  const wanted = impliers(permission);
  for (const g of granted) {
    if (g === '*') return true;
    const held = parsePermission(g);
    if (!wanted.includes(held.permission)) continue;
    if (held.apiId === null || held.apiId === apiId) return true;
  }
  return false;
}

/** True when `granted` holds one (stored-form) permission: `*`, a workspace-wide or a per-API one. */
export function holdsPermission(granted: readonly string[], value: string): boolean {
  if (value === '*') return granted.includes('*');
  const { apiId, permission } = parsePermission(value);
  return holdsFor(granted, permission, apiId);
}

/**
 * True when `granted` holds every permission of `target`: the credential `target` belongs
 * to has no more authority than the one holding `granted`.
 */
export const coversAll = (granted: readonly string[], target: readonly string[]): boolean =>
  target.every((value) => holdsPermission(granted, value));

/**
 * The route guard's check: true when `granted` could allow some request of a route that
 * requires `required`. A per-API permission passes it; the service then checks the API of
 * the resource (`requireApiAccess`).
 *
 * @example rootKeyAllows(['keys:write'], 'keys:read') // true
 */
export function rootKeyAllows(granted: readonly string[], required: RootPermission): boolean {
  if (holdsFor(granted, required, null)) return true;
  if (!SCOPABLE.has(required)) return false;
  const wanted = impliers(required);
  return granted.some((g) => {
    const held = parsePermission(g);
    return held.apiId !== null && wanted.includes(held.permission);
  });
}

/** True when `permission` is one an API can be scoped to (`keys:read`, ...). */
export const isApiScopable = (permission: string): permission is ApiScopedPermission =>
  SCOPABLE.has(permission);

/**
 * Root key permissions as stored: known ones only, each once. `VALIDATION` naming the entry
 * otherwise. Per-API permissions are checked for form here; the caller checks their API.
 */
export function checkRootPermissions(permissions: readonly string[], field: string): string[] {
  if (permissions.length === 0) throw new KeywardError('VALIDATION', `${field} must not be empty`, { field });
  permissions.forEach((p, i) => {
    if (!KNOWN.has(p) && !API_PERMISSION.test(p)) {
      throw new KeywardError('VALIDATION', `${field}[${i}] is not a root key permission`, {
        field: `${field}[${i}]`,
      });
    }
  });
  return [...new Set(permissions)];
}
