import {
  type ClientExposure,
  type CreditLedger,
  createDigester,
  type Engine,
  type Store,
} from '@keyward/core';
import {
  type Alert,
  type Detection,
  type DetectionSources,
  detectKeyStates,
  detectTraffic,
  type MonitoringPolicy,
  type MonitoringStores,
} from '@keyward/core/monitoring';
import type { Logger } from 'pino';
import { alertView } from '../ops-views.js';
import type { Actor, ServiceDeps, WebhookOutbox } from '../services/context.js';
import { updateKey } from '../services/keys.js';
import { write } from '../services/transaction.js';
import { publishEvent } from '../services/webhook-events.js';

/** Why a detector's alert quarantines a key, as `disabledReason` says it. */
const QUARANTINE_REASONS: Record<string, string> = {
  traffic_spike: 'traffic spike',
  ip_spread: 'possible leak',
  new_network: 'possible leak',
  key_unused: 'unused key',
};

export interface MonitorOptions {
  /** Keys, consumers and workspaces (the same store the app uses). */
  store: Store;
  /** Quarantines go through it (`invalidate`: every node stops accepting the key). */
  engine: Engine;
  /** The ledger verification spends from; default `store.credits`. */
  credits?: Pick<CreditLedger, 'get'>;
  monitoring: MonitoringStores;
  /** Where `alert.raised`, `usage.threshold` and (via quarantine) `key.updated` are queued; default none. */
  webhooks?: WebhookOutbox;
  /** The engine's pepper (for the service layer's digester); default none. */
  pepper?: string;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Alert lines (ids, detector, severity: never an address). Default none. */
  logger?: Logger;
}

/** What one pass did. */
export interface MonitorRun {
  workspaces: number;
  raised: Alert[];
  resolved: number;
  /** Keys disabled by the policy in this pass. */
  quarantined: string[];
  /** Workspaces whose pass failed (logged; the others went on). */
  failed: number;
}

/** What one exposure report did. */
export interface ExposureReport {
  alert: Alert;
  /** False when the key already had an active alert (its `occurrences` went up instead). */
  raised: boolean;
  /** True when the policy disabled the key now. */
  quarantined: boolean;
}

export interface Monitor {
  /** Runs the traffic detectors (spike, spread, new network, brute force) over every workspace. */
  runTraffic(): Promise<MonitorRun>;
  /** Runs the key-state detectors (credits, expiry, unused) over every workspace. */
  runKeyStates(): Promise<MonitorRun>;
  /**
   * Acts on a secret key seen in a browser (`EngineOptions.onClientExposure`): one
   * `key_exposed_in_client` alert per key (later sightings refresh its evidence and count);
   * a new alert is announced (`alert.raised`, `key.exposed_in_client`) and, under the
   * workspace's `clientExposure: quarantine` policy, disables the key.
   */
  reportExposure(sighting: ClientExposure): Promise<ExposureReport>;
}

type Detect = (
  sources: DetectionSources,
  workspaceId: string,
  policy: MonitoringPolicy,
  now: number,
) => Promise<Detection>;

/**
 * Turns detector findings into alerts and acts on new ones: the workspace policy may
 * quarantine the key (disabled with `quarantined: <why> (alert <id>)`, through the same
 * service as `PATCH /v1/keys/:id`, so the cache of every node drops it, the audit log
 * records it as the `system` actor and `key.updated` is sent), then `alert.raised` is
 * queued for webhooks, and `usage.threshold` too for low credits.
 */
export function createMonitor(options: MonitorOptions): Monitor {
  const { store, engine, monitoring, webhooks, logger, now = Date.now } = options;
  const sources: DetectionSources = {
    store,
    credits: options.credits ?? store.credits,
    signals: monitoring.signals,
  };
  const deps: ServiceDeps = {
    store,
    engine,
    digester: createDigester(options.pepper === undefined ? {} : { pepper: options.pepper }),
    now,
    forgetRootKey: async () => {},
    monitoring,
    ...(webhooks === undefined ? {} : { webhooks }),
  };
  const system = (workspaceId: string): Actor => ({
    workspaceId,
    rootKeyId: 'system',
    permissions: ['*'],
    ip: null,
    requestId: null,
  });

  const quarantine = async (alert: Alert, policy: MonitoringPolicy): Promise<Alert> => {
    const detector = alert.detector as (typeof policy.quarantine)[number];
    if (alert.subject.type !== 'key' || !policy.quarantine.includes(detector)) return alert;
    const key = await store.keys.get(alert.workspaceId, alert.subject.id);
    if (key === null || !key.enabled || key.revokedAt !== null) return alert;
    const at = now();
    // The key disabled and the alert marked together, or neither (the next run tries again).
    await write(deps, async (tx) => {
      await updateKey(tx, system(alert.workspaceId), key.id, {
        enabled: false,
        disabledReason: `quarantined: ${QUARANTINE_REASONS[detector] ?? detector} (alert ${alert.id})`,
      });
      await (tx.monitoring ?? monitoring).alerts.markQuarantined(alert.workspaceId, alert.id, at);
    });
    logger?.warn({ alertId: alert.id, detector, keyId: key.id }, 'key quarantined');
    return { ...alert, quarantinedAt: at, updatedAt: at };
  };

  const announce = async (alert: Alert) => {
    await publishEvent(deps, alert.workspaceId, 'alert.raised', { alert: alertView(alert) });
    if (alert.detector === 'rotation_grace_ending' && alert.subject.type === 'key') {
      const { rolledAt, graceUntil, lastSeen, requests } = alert.evidence;
      await publishEvent(deps, alert.workspaceId, 'key.rotation_grace_ending', {
        alertId: alert.id,
        keyId: alert.subject.id,
        rolledAt,
        graceUntil,
        lastSeen,
        requests,
      });
    }
    if (alert.detector === 'credits_low') {
      const { remaining, threshold, refillAmount } = alert.evidence;
      await publishEvent(deps, alert.workspaceId, 'usage.threshold', {
        alertId: alert.id,
        subject: alert.subject,
        remaining,
        threshold,
        refillAmount,
      });
    }
  };

  const reportExposure = async (sighting: ClientExposure): Promise<ExposureReport> => {
    const { workspaceId, keyId, client } = sighting;
    const policy = await monitoring.policies.get(workspaceId);
    const evidence = {
      origin: client.origin ?? null,
      secFetchSite: client.secFetchSite ?? null,
      secFetchMode: client.secFetchMode ?? null,
      userAgent: client.userAgent ?? null,
      keyHint: sighting.hint,
      seenAt: sighting.time,
      action: policy.clientExposure.action,
    };
    const { alert, raised } = await monitoring.alerts.raise(
      workspaceId,
      {
        detector: 'key_exposed_in_client',
        subject: { type: 'key', id: keyId },
        severity: 'critical',
        summary: 'a secret key was presented by a web browser: it is in client code',
        evidence,
      },
      now(),
    );
    if (!raised) return { alert, raised, quarantined: false };
    logger?.warn({ alertId: alert.id, detector: alert.detector, keyId }, 'alert raised');
    let current = alert;
    const key = await store.keys.get(workspaceId, keyId);
    const quarantined =
      policy.clientExposure.action === 'quarantine' && key !== null && key.enabled && key.revokedAt === null;
    if (quarantined) {
      const at = now();
      await write(deps, async (tx) => {
        await updateKey(tx, system(workspaceId), keyId, {
          enabled: false,
          disabledReason: `quarantined: exposed_in_client (alert ${alert.id})`,
        });
        await (tx.monitoring ?? monitoring).alerts.markQuarantined(workspaceId, alert.id, at);
      });
      logger?.warn({ alertId: alert.id, detector: alert.detector, keyId }, 'key quarantined');
      current = { ...alert, quarantinedAt: at, updatedAt: at };
    }
    await publishEvent(deps, workspaceId, 'alert.raised', { alert: alertView(current) });
    await publishEvent(deps, workspaceId, 'key.exposed_in_client', {
      alertId: alert.id,
      keyId,
      apiId: sighting.apiId,
      ...evidence,
      action: quarantined ? 'quarantined' : 'alerted',
    });
    return { alert: current, raised, quarantined };
  };

  const pass = async (detect: Detect): Promise<MonitorRun> => {
    const run: MonitorRun = { workspaces: 0, raised: [], resolved: 0, quarantined: [], failed: 0 };
    for (const workspace of await store.workspaces.list()) {
      run.workspaces += 1;
      try {
        const policy = await monitoring.policies.get(workspace.id);
        const at = now();
        const { detectors, findings } = await detect(sources, workspace.id, policy, at);
        const synced = await monitoring.alerts.sync(workspace.id, detectors, findings, at);
        run.resolved += synced.resolved.length;
        for (const raised of synced.raised) {
          logger?.warn(
            {
              alertId: raised.id,
              detector: raised.detector,
              severity: raised.severity,
              ...(raised.subject.type === 'ip' ? {} : { [`${raised.subject.type}Id`]: raised.subject.id }),
            },
            'alert raised',
          );
          const alert = await quarantine(raised, policy);
          if (alert.quarantinedAt !== null && alert.subject.type === 'key')
            run.quarantined.push(alert.subject.id);
          await announce(alert);
          run.raised.push(alert);
        }
      } catch (error) {
        run.failed += 1;
        logger?.error({ err: error, workspaceId: workspace.id }, 'monitoring pass failed for a workspace');
      }
    }
    return run;
  };

  return {
    runTraffic: () => pass(detectTraffic),
    runKeyStates: () => pass(detectKeyStates),
    reportExposure,
  };
}
