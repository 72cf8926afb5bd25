import { createHash } from 'node:crypto';
import { isPlausibleForeignKey, isValidKey, type KeyRecord, type RootKey } from '@keyward/core';
import { DEFAULT_MONITORING_POLICY, type MonitoringPolicy } from '@keyward/core/monitoring';
import { redactSecrets } from '@keyward/sdk';
import { alertView } from '../ops-views.js';
import { ROOT_KEY_PREFIX } from '../root-keys.js';
import { rootKeyView } from '../views.js';
import { recordAudit } from './audit.js';
import type { Actor, ServiceDeps } from './context.js';
import { revokeKey } from './key-lifecycle.js';
import { updateKey, viewKey } from './keys.js';
import { revokeRootKey } from './root-keys.js';
import { publishEvent } from './webhook-events.js';

/**
 * What happens to a key reported leaked, wherever the report comes from (GitHub's secret
 * scanning, `POST /v1/keys/report-leak`): each key found acts by its own workspace's
 * `leakedKeys` policy (disable, revoke or alert), and every report of a key raises a
 * `key_leaked` alert, appends a `key.leak_report` audit event and queues a `key.leaked`
 * webhook. Disabling and revoking go through the same services as the admin API (their
 * own audit events, webhooks and cache invalidation on every node); a key already disabled
 * or revoked is left as it is. A leaked root key is revoked (it cannot be disabled) unless
 * the policy says `alert`.
 */

/** One string reported exposed, with where and by whom. */
export interface LeakMatch {
  token: string;
  /** Where it was found (a URL), or null. */
  url: string | null;
  /** The scanner or source (`github:content`, `gitleaks`), or null. */
  source: string | null;
}

export type LeakOutcome = 'disabled' | 'revoked' | 'alerted' | 'none';

export interface LeakVerdict {
  /** SHA-256 (hex) of the token: what GitHub's feedback names it by. */
  tokenHash: string;
  /** True when the token is a key or root key (in scope). */
  found: boolean;
  /** Each key acted on, with what was done. */
  keys: Array<{ workspaceId: string; keyId: string; action: LeakOutcome }>;
}

export interface LeakReporter {
  /** Who reports, for audit events: `github-secret-scanning`, or a root key id. */
  actorId: string;
  /** `github`, `report`: the alert's and webhook's `reporter`. */
  kind: 'github' | 'report';
  ip: string | null;
  requestId: string | null;
  /**
   * A root key's report: only keys of its workspace it may write (`mayWrite(apiId)`), and
   * root keys it may revoke; absent (GitHub): every workspace.
   */
  scope?: {
    workspaceId: string;
    mayWrite: (apiId: string) => boolean;
    /** Root keys it may act on: `root_keys:write`, and no more authority than its own. */
    mayRevoke: (rootKey: RootKey) => boolean;
  };
}

export const sha256Hex = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

const policyOf = async (deps: ServiceDeps, workspaceId: string): Promise<MonitoringPolicy> =>
  deps.monitoring === undefined ? DEFAULT_MONITORING_POLICY : deps.monitoring.policies.get(workspaceId);

const where = (match: LeakMatch): string => (match.url ?? match.source ?? 'reported').slice(0, 300);

/** Acts on every key and root key each match names; one verdict per match, in order. */
export async function actOnLeaks(
  deps: ServiceDeps,
  matches: readonly LeakMatch[],
  reporter: LeakReporter,
): Promise<LeakVerdict[]> {
  const imported = reporter.scope === undefined ? false : await deps.store.keys.hasImported();
  const verdicts: LeakVerdict[] = [];
  for (const reported of matches) {
    // Where it was found is stored (reason, alert, audit, webhook): never a credential it carries.
    const match: LeakMatch = {
      token: reported.token,
      url: reported.url === null ? null : redactSecrets(reported.url),
      source: reported.source === null ? null : redactSecrets(reported.source),
    };
    const verdict: LeakVerdict = { tokenHash: sha256Hex(match.token), found: false, keys: [] };
    verdicts.push(verdict);
    // Format and checksum first: junk costs no digest and no lookup. Foreign-format imported
    // keys are looked up for a provider's own report only (GitHub matches the keyward pattern).
    const wellFormed = isValidKey(match.token);
    if (!wellFormed && !(imported && isPlausibleForeignKey(match.token))) continue;
    const digest = deps.engine.digest(match.token);
    if (wellFormed && match.token.startsWith(`${ROOT_KEY_PREFIX}_`)) {
      const rootKey = await deps.store.rootKeys.findByDigest(digest);
      if (rootKey === null || (reporter.scope !== undefined && !inRootScope(rootKey, reporter.scope)))
        continue;
      verdict.found = true;
      verdict.keys.push(await actOnRootKey(deps, rootKey, match, reporter));
      continue;
    }
    for (const { key } of await deps.store.keys.findByDigest(digest)) {
      const scope = reporter.scope;
      if (scope !== undefined && (key.workspaceId !== scope.workspaceId || !scope.mayWrite(key.apiId)))
        continue;
      // A publishable key is meant to be public (docs/publishable-keys.md): found, it is no leak.
      if (key.kind === 'publishable') continue;
      verdict.found = true;
      verdict.keys.push(await actOnKey(deps, key, match, reporter));
    }
  }
  return verdicts;
}

const inRootScope = (rootKey: RootKey, scope: NonNullable<LeakReporter['scope']>): boolean =>
  rootKey.workspaceId === scope.workspaceId && scope.mayRevoke(rootKey);

const actorFor = (workspaceId: string, reporter: LeakReporter): Actor => ({
  workspaceId,
  rootKeyId: reporter.actorId,
  // The policy acts, not the reporter: a report may disable any key it names.
  permissions: ['*'],
  ip: reporter.ip,
  requestId: reporter.requestId,
});

async function actOnKey(
  deps: ServiceDeps,
  key: KeyRecord,
  match: LeakMatch,
  reporter: LeakReporter,
): Promise<LeakVerdict['keys'][number]> {
  const actor = actorFor(key.workspaceId, reporter);
  const { action } = (await policyOf(deps, key.workspaceId)).leakedKeys;
  let outcome: LeakOutcome = 'alerted';
  if (action === 'disable') {
    outcome = key.enabled && key.revokedAt === null ? 'disabled' : 'none';
    if (outcome === 'disabled')
      await updateKey(deps, actor, key.id, { enabled: false, disabledReason: `leaked: ${where(match)}` });
  } else if (action === 'revoke') {
    outcome = key.revokedAt === null ? 'revoked' : 'none';
    if (outcome === 'revoked') await revokeKey(deps, actor, key.id);
  }
  const view = await viewKey(deps, (await deps.store.keys.get(key.workspaceId, key.id)) ?? key);
  await announce(deps, actor, { type: 'key', id: key.id }, match, reporter, outcome, { key: view });
  return { workspaceId: key.workspaceId, keyId: key.id, action: outcome };
}

async function actOnRootKey(
  deps: ServiceDeps,
  rootKey: RootKey,
  match: LeakMatch,
  reporter: LeakReporter,
): Promise<LeakVerdict['keys'][number]> {
  const actor = actorFor(rootKey.workspaceId, reporter);
  const { action } = (await policyOf(deps, rootKey.workspaceId)).leakedKeys;
  const outcome: LeakOutcome =
    action === 'alert' ? 'alerted' : rootKey.revokedAt === null ? 'revoked' : 'none';
  const view = outcome === 'revoked' ? await revokeRootKey(deps, actor, rootKey.id) : rootKeyView(rootKey);
  await announce(deps, actor, { type: 'key', id: rootKey.id }, match, reporter, outcome, { rootKey: view });
  return { workspaceId: rootKey.workspaceId, keyId: rootKey.id, action: outcome };
}

/** The alert, the audit event and the `key.leaked` webhook every report of a key gets. */
async function announce(
  deps: ServiceDeps,
  actor: Actor,
  subject: { type: 'key'; id: string },
  match: LeakMatch,
  reporter: LeakReporter,
  outcome: LeakOutcome,
  views: Record<string, unknown>,
): Promise<void> {
  const evidence = { url: match.url, source: match.source, reporter: reporter.kind, action: outcome };
  let alertId: string | null = null;
  if (deps.monitoring !== undefined) {
    const { alert, raised } = await deps.monitoring.alerts.raise(
      actor.workspaceId,
      {
        detector: 'key_leaked',
        subject,
        severity: 'critical',
        summary: `a key was reported exposed (${reporter.kind === 'github' ? 'GitHub secret scanning' : 'leak report'})`,
        evidence,
      },
      deps.now(),
    );
    alertId = alert.id;
    if (raised) await publishEvent(deps, actor.workspaceId, 'alert.raised', { alert: alertView(alert) });
  }
  await recordAudit(deps, actor, {
    action: 'key.leak_report',
    targetType: subject.id.startsWith('rk_') ? 'root_key' : 'key',
    targetId: subject.id,
    before: null,
    after: evidence,
  });
  await publishEvent(deps, actor.workspaceId, 'key.leaked', { ...views, ...evidence, alertId });
}
