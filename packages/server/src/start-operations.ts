import type { Engine, Store } from '@keyward/core';
import { createHttpDeliver, createWebhookDispatcher, type WebhookDispatcher } from '@keyward/core/webhooks';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createLifetimeJob, type LifetimeJob } from './lifetime/lifetime-job.js';
import type { KeywardMetrics } from './metrics.js';
import { createExposureQueue, type ExposureQueue } from './monitoring/exposure-queue.js';
import { createMonitor, type Monitor } from './monitoring/monitor.js';
import { createMonitorScheduler } from './monitoring/scheduler.js';
import type { ServiceDeps, WebhookOutbox } from './services/context.js';
import type { OpenDatabase } from './start-dependencies.js';

/** The background work of `keyward serve`: webhook delivery and access-pattern monitoring. */
export interface Operations {
  /** For `buildApp`: the routes of alerts and webhooks, and where key changes queue events. */
  monitoring: NonNullable<ServiceDeps['monitoring']>;
  webhooks: WebhookOutbox;
  /** Delivers the outbox (tests call `runOnce` instead of `start`). */
  dispatcher: WebhookDispatcher;
  /** Runs the detectors (tests call it instead of the schedule). */
  monitor: Monitor;
  /** Applies the APIs' key lifetime policies (tests call it instead of the schedule). */
  lifetime: LifetimeJob;
  /** Secret keys seen in browsers, reported off the verification path (the engine's `onClientExposure`). */
  exposures: ExposureQueue;
  /** Starts the webhook dispatcher and the detector schedule. */
  start(): void;
  /** Stops both and waits for the work in flight (deliveries are recorded; the rest stays in the outbox). */
  stop(): Promise<void>;
}

export interface OperationsDeps {
  config: Config;
  database: Pick<OpenDatabase, 'monitoring' | 'webhooks'>;
  /** The store the engine uses (its credit ledger is the one detectors read). */
  store: Store;
  engine: Engine;
  metrics: Pick<KeywardMetrics, 'webhookDeliveries'>;
  logger: Logger;
  /** Clock in epoch ms (delivery schedule, alert times); default `Date.now`. */
  now?: () => number;
}

/**
 * Wires the webhook dispatcher (deliveries counted in `keyward_webhook_deliveries_total`,
 * receivers limited by KEYWARD_WEBHOOK_ADDRESSES) and the detector schedule (one node
 * per interval, see `createJobLock`).
 */
export function createOperations(deps: OperationsDeps): Operations {
  const { config, database, store, engine, metrics, logger, now = Date.now } = deps;
  const dispatcher = createWebhookDispatcher({
    store: database.webhooks,
    now,
    deliver: createHttpDeliver({
      addressPolicy: config.webhookAddresses,
      timeoutMs: config.webhookTimeoutMs,
    }),
    onDelivery: (delivery) =>
      metrics.webhookDeliveries.inc({ event: delivery.eventType, outcome: delivery.outcome }),
    onError: (error) => logger.warn({ err: error }, 'webhook dispatch failed; retrying at the next poll'),
  });
  const webhooks: WebhookOutbox = { store: database.webhooks, notify: () => dispatcher.notify() };
  const monitor = createMonitor({
    store,
    engine,
    monitoring: database.monitoring,
    webhooks,
    ...(config.pepper ? { pepper: config.pepper.reveal() } : {}),
    logger,
    now,
  });
  const lifetime = createLifetimeJob({
    store,
    engine,
    monitoring: database.monitoring,
    webhooks,
    ...(config.pepper ? { pepper: config.pepper.reveal() } : {}),
    logger,
    now,
  });
  const scheduler = createMonitorScheduler({
    monitor,
    lifetime,
    jobs: database.monitoring.jobs,
    trafficIntervalMs: config.monitorIntervalMs,
    keyStateIntervalMs: config.monitorKeyStateIntervalMs,
    onError: (error) => logger.error({ err: error }, 'monitoring pass failed'),
  });
  const exposures = createExposureQueue({
    report: (sighting) => monitor.reportExposure(sighting),
    now,
    onError: (error) => logger.warn({ err: error }, 'client exposure not reported'),
  });
  return {
    exposures,
    monitoring: { alerts: database.monitoring.alerts, policies: database.monitoring.policies },
    webhooks,
    dispatcher,
    monitor,
    lifetime,
    start() {
      dispatcher.start();
      scheduler.start();
    },
    async stop() {
      await scheduler.stop();
      await exposures.drain();
      await dispatcher.stop();
    },
  };
}
