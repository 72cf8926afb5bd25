import {
  createDigester,
  type Engine,
  type KeyRecord,
  type LifetimeNotice,
  type LifetimePolicy,
  lifetimeActions,
  type Store,
} from '@keyward/core';
import type { MonitoringStores } from '@keyward/core/monitoring';
import type { Logger } from 'pino';
import { alertView } from '../ops-views.js';
import type { Actor, ServiceDeps, WebhookOutbox } from '../services/context.js';
import { updateKey, viewKey } from '../services/keys.js';
import { write } from '../services/transaction.js';
import { publishEvent } from '../services/webhook-events.js';

const PAGE = 100;

export interface LifetimeJobOptions {
  /** Keys and policies (the same store the app uses). */
  store: Store;
  /** Disabling goes through it (`invalidate`: every node stops accepting the key). */
  engine: Engine;
  /**
   * Alerts (reminders raise `key_lifetime` alerts) and usage signals (the last verification
   * of each key, for the idle rule). Absent: no alerts, and the idle rule is not applied.
   */
  monitoring?: Pick<MonitoringStores, 'alerts' | 'policies' | 'signals'>;
  /** Where `key.expiring`, `key.rotation_due`, `key.idle` and (via disabling) `key.updated` are queued; default none. */
  webhooks?: WebhookOutbox;
  /** The engine's pepper (for the service layer's digester); default none. */
  pepper?: string;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** One line per disabled key and reminder (ids only). Default none. */
  logger?: Logger;
}

/** What one run did. */
export interface LifetimeRun {
  /** Keys disabled, with the reason stored in `disabledReason`. */
  disabled: Array<{ keyId: string; reason: string }>;
  /** Reminders sent (each once per key, kind and deadline, whatever the number of runs or nodes). */
  notices: Array<{ keyId: string; kind: LifetimeNotice['kind']; deadline: number }>;
  /** APIs whose run failed (logged; the others went on; the next run tries again). */
  failed: number;
}

export interface LifetimeJob {
  /** Applies every API's lifetime policy to its live keys once. */
  run(): Promise<LifetimeRun>;
}

const SUMMARIES: Record<LifetimeNotice['kind'], string> = {
  'key.expiring': 'key expires soon',
  'key.rotation_due': 'key must be rotated soon',
  'key.idle': 'key will be disabled as idle soon',
};

/**
 * The key lifetime job (`decisions/lifetime.ts`), run by the scheduler under the job lock
 * (one node at a time). For each API with an enforced policy and each of its live keys:
 * disable the key past its rotation deadline (`rotation_required`) or idle cutoff (`idle`),
 * through the same service as `PATCH /v1/keys/:id` (audited as the `system` actor, every
 * node's cache dropped, `key.updated` sent); else send the reminders whose window is open:
 * a `key_lifetime` alert and a `key.expiring` / `key.rotation_due` / `key.idle` webhook,
 * recorded in the same transaction as the claim that makes it once per key and deadline.
 * Dry-run policies change nothing here (verification records what they would refuse).
 */
export function createLifetimeJob(options: LifetimeJobOptions): LifetimeJob {
  const { store, engine, monitoring, webhooks, logger, now = Date.now } = options;
  const signals = monitoring?.signals;
  const deps: ServiceDeps = {
    store,
    engine,
    digester: createDigester(options.pepper === undefined ? {} : { pepper: options.pepper }),
    now,
    forgetRootKey: async () => {},
    ...(monitoring === undefined
      ? {}
      : { monitoring: { alerts: monitoring.alerts, policies: monitoring.policies } }),
    ...(webhooks === undefined ? {} : { webhooks }),
  };
  const system = (workspaceId: string): Actor => ({
    workspaceId,
    rootKeyId: 'system',
    permissions: ['*'],
    ip: null,
    requestId: null,
  });

  const liveKeys = async (policy: LifetimePolicy, at: number): Promise<KeyRecord[]> => {
    const keys: KeyRecord[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.keys.list(policy.workspaceId, {
        apiId: policy.apiId,
        state: { is: 'active', at },
        limit: PAGE,
        cursor,
      });
      keys.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return keys;
  };

  const remind = async (key: KeyRecord, notice: LifetimeNotice): Promise<boolean> =>
    write(deps, async (tx) => {
      const at = now();
      if (!(await tx.store.lifetimePolicies.claimNotice(key.id, notice.kind, notice.deadline, at)))
        return false;
      const view = await viewKey(tx, key);
      const data = { kind: notice.kind, deadline: notice.deadline, key: view };
      if (tx.monitoring !== undefined) {
        const { alert, raised } = await tx.monitoring.alerts.raise(
          key.workspaceId,
          {
            detector: 'key_lifetime',
            subject: { type: 'key', id: key.id },
            severity: notice.kind === 'key.expiring' ? 'info' : 'warning',
            summary: `${SUMMARIES[notice.kind]} (${new Date(notice.deadline).toISOString()})`,
            evidence: { kind: notice.kind, deadline: notice.deadline },
          },
          at,
        );
        if (raised) await publishEvent(tx, key.workspaceId, 'alert.raised', { alert: alertView(alert) });
      }
      await publishEvent(tx, key.workspaceId, notice.kind, data);
      return true;
    });

  const applyPolicy = async (policy: LifetimePolicy, run: LifetimeRun): Promise<void> => {
    if (policy.mode !== 'enforce') return;
    const at = now();
    const keys = await liveKeys(policy, at);
    const lastUsed =
      policy.idleDisableAfterDays === null || signals === undefined
        ? new Map<string, number>()
        : await signals.lastUsed(
            policy.workspaceId,
            keys.map((key) => key.id),
          );
    // Without usage data the idle rule cannot tell a used key from an unused one: skip it.
    const effective = signals === undefined ? { ...policy, idleDisableAfterDays: null } : policy;
    for (const key of keys) {
      const actions = lifetimeActions(key, lastUsed.get(key.id) ?? null, effective, at);
      if (actions.disable !== null) {
        await updateKey(deps, system(key.workspaceId), key.id, {
          enabled: false,
          disabledReason: actions.disable,
        });
        logger?.warn({ keyId: key.id, reason: actions.disable }, 'key disabled by its lifetime policy');
        run.disabled.push({ keyId: key.id, reason: actions.disable });
        continue;
      }
      for (const notice of actions.notices) {
        if (!(await remind(key, notice))) continue;
        logger?.info({ keyId: key.id, kind: notice.kind }, 'key lifetime reminder sent');
        run.notices.push({ keyId: key.id, kind: notice.kind, deadline: notice.deadline });
      }
    }
  };

  return {
    async run() {
      const run: LifetimeRun = { disabled: [], notices: [], failed: 0 };
      for (const policy of await store.lifetimePolicies.listAll()) {
        try {
          await applyPolicy(policy, run);
        } catch (error) {
          run.failed += 1;
          logger?.error({ err: error, apiId: policy.apiId }, 'lifetime pass failed for an API');
        }
      }
      return run;
    },
  };
}
