import { KeywardError, type Page } from '@keyward/core';
import { type MonitoringPolicyInput, resolvePolicy } from '@keyward/core/monitoring';
import type {
  AlertView,
  ListAlertsQuery,
  MonitoringPolicyBody,
  MonitoringPolicyView,
} from '@keyward/protocol';
import { alertView, policyView } from '../ops-views.js';
import { recordAudit } from './audit.js';
import type { Actor, ServiceDeps } from './context.js';
import { inPart } from './input-checks.js';
import { listPage } from './pagination.js';
import { write } from './transaction.js';

/** The monitoring stores; their absence is a wiring bug (the routes are only served with them). */
const monitoringOf = (deps: ServiceDeps) => {
  if (deps.monitoring === undefined) throw new KeywardError('INTERNAL', 'monitoring is not configured');
  return deps.monitoring;
};

const notFound = () => new KeywardError('NOT_FOUND', 'alert not found');

export async function listAlerts(
  deps: ServiceDeps,
  actor: Actor,
  query: ListAlertsQuery,
): Promise<Page<AlertView>> {
  const { alerts } = monitoringOf(deps);
  const page = await listPage(() => alerts.list(actor.workspaceId, query));
  return { items: page.items.map(alertView), nextCursor: page.nextCursor };
}

export async function getAlert(deps: ServiceDeps, actor: Actor, id: string): Promise<AlertView> {
  const alert = await monitoringOf(deps).alerts.get(actor.workspaceId, id);
  if (alert === null) throw notFound();
  return alertView(alert);
}

/** Marks an open alert as taken care of (it stays active until its condition clears); idempotent. */
export async function acknowledgeAlert(root: ServiceDeps, actor: Actor, id: string): Promise<AlertView> {
  return write(root, async (deps) => {
    const { alerts } = monitoringOf(deps);
    const before = await alerts.get(actor.workspaceId, id);
    if (before === null) throw notFound();
    const after = await alerts.acknowledge(actor.workspaceId, id, actor.rootKeyId, deps.now());
    if (after === null) throw notFound();
    const view = alertView(after);
    if (before.status !== after.status) {
      await recordAudit(deps, actor, {
        action: 'alert.acknowledge',
        targetType: 'alert',
        targetId: id,
        before: { status: before.status },
        after: { status: after.status },
      });
    }
    return view;
  });
}

export async function getPolicy(deps: ServiceDeps, actor: Actor): Promise<MonitoringPolicyView> {
  return policyView(await monitoringOf(deps).policies.get(actor.workspaceId));
}

/** Replaces the workspace's monitoring policy (fields left out take their defaults). */
export async function putPolicy(
  root: ServiceDeps,
  actor: Actor,
  body: MonitoringPolicyBody,
): Promise<MonitoringPolicyView> {
  return write(root, async (deps) => {
    const { policies } = monitoringOf(deps);
    let policy: ReturnType<typeof resolvePolicy>;
    try {
      policy = resolvePolicy(body as MonitoringPolicyInput, 'body');
    } catch (error) {
      throw inPart(error, 'body');
    }
    const before = policyView(await policies.get(actor.workspaceId));
    await policies.put(actor.workspaceId, policy, deps.now());
    const view = policyView(policy);
    await recordAudit(deps, actor, {
      action: 'workspace.policy.update',
      targetType: 'workspace',
      targetId: actor.workspaceId,
      before,
      after: view,
    });
    return view;
  });
}
