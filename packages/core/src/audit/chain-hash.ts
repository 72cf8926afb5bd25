import { createHash } from 'node:crypto';
import type { AuditEvent } from '../contracts/model.js';
import { canonicalJson } from './canonical-json.js';

/** The `prevHash` of a workspace's first audit event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * What an audit event's hash covers: every field of the event and its place in the
 * chain. `before`/`after` are taken as stored (a JSON round trip), so that the hash
 * computed at append time is the one a verifier recomputes from the database.
 */
export function chainPayload(event: AuditEvent, seq: number): Record<string, unknown> {
  const stored = (value: unknown): unknown => (value === null ? null : JSON.parse(JSON.stringify(value)));
  return {
    id: event.id,
    workspaceId: event.workspaceId,
    seq,
    actor: event.actor,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    before: stored(event.before),
    after: stored(event.after),
    ip: event.ip,
    requestId: event.requestId,
    createdAt: event.createdAt,
  };
}

/**
 * `hex(SHA-256(prevHash || canonicalJson(event with its seq)))`: each event's hash
 * covers its predecessor's, so editing, removing or reordering any event changes every
 * hash after it. This format is fixed forever: stored chains are verified with it.
 *
 * @example const hash = chainHash(GENESIS_HASH, event, 1);
 */
export function chainHash(prevHash: string, event: AuditEvent, seq: number): string {
  return createHash('sha256')
    .update(prevHash, 'utf8')
    .update(canonicalJson(chainPayload(event, seq)), 'utf8')
    .digest('hex');
}
