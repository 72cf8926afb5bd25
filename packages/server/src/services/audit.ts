import {
  type AuditEvent,
  type AuditQuery,
  KeywardError,
  type Meta,
  newId,
  type Page,
  verifyAuditChain,
} from '@keyward/core';
import type { AuditVerifyQuery, AuditVerifyResponse } from '@keyward/protocol';
import type { Actor, ServiceDeps } from './context.js';
import { listPage } from './pagination.js';

/** One admin action, with the public views of its target before and after. */
export interface AuditEntry {
  /** `<resource>.<verb>`, e.g. `key.create`, `key.roll`, `root_key.revoke`. */
  action: string;
  targetType: string;
  targetId: string | null;
  before: object | null;
  after: object | null;
}

/**
 * Appends an audit event for a write that just succeeded. Views only: the callers pass
 * the same public views they answer with, never a record.
 */
export async function recordAudit(deps: ServiceDeps, actor: Actor, entry: AuditEntry): Promise<void> {
  const event: AuditEvent = {
    id: newId('evt'),
    workspaceId: actor.workspaceId,
    actor: actor.rootKeyId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: entry.before as Meta | null,
    after: entry.after as Meta | null,
    ip: actor.ip,
    requestId: actor.requestId,
    createdAt: deps.now(),
  };
  await deps.store.audit.append(event);
}

export const listAuditEvents = (
  deps: ServiceDeps,
  actor: Actor,
  query: AuditQuery,
): Promise<Page<AuditEvent>> => listPage(() => deps.store.audit.list(actor.workspaceId, query));

/**
 * Walks the workspace's audit hash chain (see `verifyAuditChain`); with an anchor from an
 * earlier answer's `head`, also detects a chain rewritten from scratch.
 */
export async function verifyAuditEvents(
  deps: ServiceDeps,
  actor: Actor,
  query: AuditVerifyQuery,
): Promise<AuditVerifyResponse> {
  const { anchorSeq, anchorHash } = query;
  if ((anchorSeq === undefined) !== (anchorHash === undefined)) {
    throw new KeywardError('VALIDATION', 'anchorSeq and anchorHash go together', {
      field: anchorSeq === undefined ? 'querystring.anchorSeq' : 'querystring.anchorHash',
    });
  }
  const anchor =
    anchorSeq === undefined || anchorHash === undefined
      ? {}
      : { anchor: { seq: anchorSeq, hash: anchorHash } };
  const verdict = await verifyAuditChain(deps.store, actor.workspaceId, anchor);
  return verdict.ok
    ? { ok: true, count: verdict.count, head: verdict.head, brokenAt: null, reason: null }
    : { ok: false, count: null, head: null, brokenAt: verdict.brokenAt, reason: verdict.reason };
}
