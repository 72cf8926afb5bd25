import { randomInt } from 'node:crypto';
import pg from 'pg';
import type { CacheBus } from '../contracts/cache-bus.js';
import { KeywardError } from '../contracts/errors.js';
import { decodeInvalidation } from '../redis/invalidation-codec.js';
import { createLocalSubscribers } from '../redis/local-subscribers.js';
import { notifyPayloads } from './notify-payloads.js';

export interface PostgresCacheBusOptions {
  /** Pool for NOTIFY (one short query per publish); its config also opens the dedicated LISTEN connection. */
  pool: pg.Pool;
  /** Channel shared by every node (case-sensitive). Default `kw_invalidate`. */
  channel?: string;
  /** Backoff of the LISTEN connection's reconnects: doubles from `minDelayMs` up to `maxDelayMs`, with jitter. Default 100 / 5000. */
  reconnect?: { minDelayMs?: number; maxDelayMs?: number };
  /** Told about lost LISTEN connections, dropped malformed messages and throwing handlers (never a payload). Default: ignore. */
  onError?: (error: unknown) => void;
}

export interface PostgresCacheBus extends CacheBus {
  /** Resolves once this node listens; await it before serving. Rejects if the first attempt failed (retries continue). */
  ready(): Promise<void>;
}

/**
 * Cache invalidation over PostgreSQL LISTEN/NOTIFY, for deployments without Redis. One
 * connection per node, outside the pool, only LISTENs; it reconnects with backoff and,
 * after every reconnect, hands `{ type: 'all' }` to local subscribers (NOTIFY is not
 * replayed, so whatever was sent meanwhile is lost). Publishes go through the pool as one
 * `pg_notify` statement, run one after another so one publisher's messages stay in order;
 * a `key` message too large for NOTIFY's 8000-byte limit is split (see `notify-payloads.ts`).
 *
 * @example
 * const bus = createPostgresCacheBus({ pool });
 * await bus.ready();
 * bus.subscribe((message) => cache.invalidate(message));
 */
export function createPostgresCacheBus(options: PostgresCacheBusOptions): PostgresCacheBus {
  const { pool, channel = 'kw_invalidate', reconnect = {}, onError = () => {} } = options;
  const { minDelayMs = 100, maxDelayMs = 5000 } = reconnect;
  const local = createLocalSubscribers(onError);
  let closed = false;
  let listener: pg.Client | null = null;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let attempts = 0;
  let publishing: Promise<unknown> = Promise.resolve();
  /** The latest LISTEN attempt; `close` waits for it so no connection outlives the bus. */
  let attempt: Promise<boolean> = Promise.resolve(false);

  const onNotification = (notification: pg.Notification) => {
    if (closed || notification.channel !== channel || notification.payload === undefined) return;
    const message = decodeInvalidation(notification.payload);
    if (message === null)
      onError(new Error(`dropped a malformed invalidation message on channel ${channel}`));
    else local.deliver(message);
  };

  const scheduleRetry = () => {
    const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** failures);
    failures++;
    retryTimer = setTimeout(
      () => {
        attempt = listen();
      },
      randomInt(Math.ceil(ceiling / 2), Math.ceil(ceiling) + 1),
    );
    retryTimer.unref();
  };

  /** Opens a LISTEN connection; true when listening. On failure a retry is scheduled. */
  const listen = async (): Promise<boolean> => {
    attempts++;
    const isFirstAttempt = attempts === 1;
    const client = new pg.Client(pool.options);
    let dead = false;
    const lost = (error: unknown) => {
      if (dead) return;
      dead = true;
      client.off('notification', onNotification);
      client.end().catch(() => {});
      if (listener === client) listener = null;
      if (closed) return;
      onError(new KeywardError('UNAVAILABLE', 'cache bus lost its LISTEN connection', { cause: error }));
      scheduleRetry();
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('connection ended')));
    client.on('notification', onNotification);
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    } catch (error) {
      lost(error);
      return false;
    }
    if (closed || dead) {
      if (!dead) lost(new Error('closed'));
      return false;
    }
    listener = client;
    failures = 0;
    // Anything published while this node was not listening is gone: drop every cached entry.
    if (!isFirstAttempt) local.deliver({ type: 'all' });
    return true;
  };

  const firstListen = listen();
  attempt = firstListen;

  return {
    async ready() {
      if (!(await firstListen)) throw new KeywardError('UNAVAILABLE', 'cache bus could not LISTEN');
    },
    async publish(message) {
      if (closed) throw new KeywardError('UNAVAILABLE', 'cache bus is closed');
      if (decodeInvalidation(JSON.stringify(message)) === null) {
        throw new KeywardError('VALIDATION', 'malformed invalidation message');
      }
      const payloads = notifyPayloads(message);
      // One statement: its notifications are delivered together and in array order.
      const sent = publishing
        .then(() => firstListen)
        .then(() =>
          pool.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [channel, payloads]),
        );
      publishing = sent.catch(() => {});
      await sent;
    },
    subscribe(handler) {
      return local.add(handler);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      local.clear();
      await attempt;
      const client = listener;
      listener = null;
      if (client !== null) {
        client.off('notification', onNotification);
        await client.end().catch(() => {});
      }
    },
  };
}
