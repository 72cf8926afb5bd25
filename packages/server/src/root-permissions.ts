import { KeywardError } from '@keyward/core';
import { ROOT_PERMISSIONS, type RootPermission } from '@keyward/protocol';

const KNOWN: ReadonlySet<string> = new Set(ROOT_PERMISSIONS);

/**
 * True when a root key holding `granted` may do what `required` names: `*` allows
 * everything, and a resource's `:write` implies its `:read` (`keys:write` → `keys:read`).
 * `keys:verify` is implied by nothing but itself and `*`.
 *
 * @example rootKeyAllows(['keys:write'], 'keys:read') // true
 */
export function rootKeyAllows(granted: readonly string[], required: RootPermission): boolean {
  const impliedBy = required.endsWith(':read') ? `${required.slice(0, -':read'.length)}:write` : null;
  return granted.some((g) => g === '*' || g === required || g === impliedBy);
}

/** Root key permissions as stored: known ones only, each once. `VALIDATION` naming the entry otherwise. */
export function checkRootPermissions(permissions: readonly string[], field: string): RootPermission[] {
  if (permissions.length === 0) throw new KeywardError('VALIDATION', `${field} must not be empty`, { field });
  permissions.forEach((p, i) => {
    if (!KNOWN.has(p)) {
      throw new KeywardError('VALIDATION', `${field}[${i}] is not a root key permission`, {
        field: `${field}[${i}]`,
      });
    }
  });
  return [...new Set(permissions)] as RootPermission[];
}
