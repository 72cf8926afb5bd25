import { newId } from '../keys/ids.js';
import { createHttpDeliver, type Deliver } from './deliver.js';
import { DEFAULT_RETRY_SCHEDULE, nextAttemptAt } from './retry-schedule.js';
import { webhookHeaders } from './signature.js';
import type { WebhookDelivery } from './webhook-model.js';
import type { ClaimedMessage, WebhookStore } from './webhook-store.js';

export interface WebhookDispatcherOptions {
  store: WebhookStore;
  /** How a request is sent. Default `createHttpDeliver()` (public addresses only, 10 s deadline). */
  deliver?: Deliver;
  /** Delays between attempts. Default `DEFAULT_RETRY_SCHEDULE` (7 attempts over ~17.5 h). */
  schedule?: readonly number[];
  /** How often the outbox is polled, in ms. Default 1000 (`notify()` wakes it sooner). */
  intervalMs?: number;
  /** Messages taken per poll (delivered concurrently). Default 20. */
  batchSize?: number;
  /** How long a taken message is held before another dispatcher may take it over (a crash). Default 120_000. */
  leaseMs?: number;
  /** Told about every attempt (count it: `outcome` and `eventType` only, never the URL). */
  onDelivery?: (delivery: WebhookDelivery) => void;
  /** Told about store failures (the poll is retried next interval). Default: ignore. */
  onError?: (error: unknown) => void;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

export interface WebhookDispatcher {
  /** Starts polling the outbox. */
  start(): void;
  /** Delivers what is due now, once; resolves with the number of attempts made. */
  runOnce(): Promise<number>;
  /** Polls at once (call after queueing messages). */
  notify(): void;
  /** Stops polling and waits for the attempts in flight (their outcome is recorded). */
  stop(): Promise<void>;
}

/**
 * Delivers the outbox: takes due messages (leased, so several nodes can run dispatchers),
 * signs each attempt afresh (`webhook-timestamp` is the attempt's time), POSTs it, logs
 * the attempt and reschedules a failure along `schedule` until it runs out (then the
 * message is `failed`). A 2xx answer is success; anything else (3xx included) a failure.
 * A crash mid-attempt leaves the message leased; after `leaseMs` it is sent again, so
 * receivers may see a message twice and should dedupe on `webhook-id`.
 *
 * @example
 * const dispatcher = createWebhookDispatcher({ store: webhooks });
 * dispatcher.start();
 * // ... on shutdown:
 * await dispatcher.stop();
 */
export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const {
    store,
    deliver = createHttpDeliver(),
    schedule = DEFAULT_RETRY_SCHEDULE,
    intervalMs = 1000,
    batchSize = 20,
    leaseMs = 120_000,
    onDelivery = () => {},
    onError = () => {},
    now = Date.now,
  } = options;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let again = false;
  let stopped = true;
  let inFlight: Promise<number> | null = null;

  const attempt = async ({ message, endpoint }: ClaimedMessage): Promise<void> => {
    const started = now();
    const number = message.attempts + 1;
    let response: Awaited<ReturnType<Deliver>>;
    try {
      const headers = webhookHeaders(endpoint.secret, {
        id: message.id,
        timestamp: Math.floor(started / 1000),
        body: message.payload,
      });
      response = await deliver({ url: endpoint.url, headers, body: message.payload });
    } catch (error) {
      response = { status: null, error: error instanceof Error ? error.message : String(error) };
    }
    const finished = now();
    const ok = response.status !== null && response.status >= 200 && response.status < 300;
    const next = ok ? null : nextAttemptAt(schedule, number, finished);
    const delivery: WebhookDelivery = {
      id: newId('dlv'),
      workspaceId: message.workspaceId,
      endpointId: endpoint.id,
      messageId: message.id,
      eventType: message.eventType,
      attempt: number,
      outcome: ok ? 'success' : 'failure',
      responseStatus: response.status,
      error: ok ? null : (response.error ?? `the receiver answered ${response.status}`),
      durationMs: Math.max(0, finished - started),
      createdAt: finished,
      nextAttemptAt: next,
    };
    await store.complete(delivery, ok ? 'succeeded' : next === null ? 'failed' : 'pending');
    try {
      onDelivery(delivery);
    } catch {
      // A metrics callback must not undo a recorded attempt.
    }
  };

  const runOnce = async (): Promise<number> => {
    const claimed = await store.claim(now(), batchSize, leaseMs);
    const results = await Promise.allSettled(claimed.map(attempt));
    for (const result of results) if (result.status === 'rejected') onError(result.reason);
    return claimed.length;
  };

  const schedulePoll = (delay: number) => {
    if (stopped) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(poll, delay);
    timer.unref();
  };

  const poll = () => {
    timer = null;
    if (running || stopped) return;
    running = true;
    inFlight = runOnce()
      .catch((error: unknown) => {
        onError(error);
        return 0;
      })
      .finally(() => {
        running = false;
        inFlight = null;
      });
    // A full batch means more may be due, and a notify during the run asked for another: go again at once.
    void inFlight.then((count) => {
      const soon = count >= batchSize || again;
      again = false;
      schedulePoll(soon ? 0 : intervalMs);
    });
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedulePoll(0);
    },
    runOnce,
    notify() {
      if (running) again = true;
      else schedulePoll(0);
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await inFlight;
    },
  };
}
