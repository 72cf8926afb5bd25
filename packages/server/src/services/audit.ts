import { type AuditEvent, type AuditQuery, type Meta, newId, type Page } from '@keyward/core';
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
