import type { Redis } from 'ioredis';
import type { CacheBus } from '../contracts/cache-bus.js';
import { KeywardError } from '../contracts/errors.js';
import { decodeInvalidation, encodeInvalidation } from './invalidation-codec.js';
import { createLocalSubscribers } from './local-subscribers.js';

export interface RedisCacheBusOptions {
  /** Connection for PUBLISH; may be shared with other commands. */
  publisher: Redis;
  /** Connection dedicated to this bus (SUBSCRIBE puts it in subscriber mode). The caller quits it after `close()`. */
  subscriber: Redis;
  /** Pub/sub channel shared by every node. Default `kw:invalidate`. */
  channel?: string;
  /** Told about dropped malformed messages, throwing handlers and failed resubscribes (never a payload). Default: ignore. */
  onError?: (error: unknown) => void;
}

export interface RedisCacheBus extends CacheBus {
  /** Resolves once this node is subscribed; await it before serving so no invalidation is missed. Rejects if the first SUBSCRIBE failed. */
  ready(): Promise<void>;
}

/**
 * Cache invalidation over Redis pub/sub: every node subscribes to one channel and each
 * published message reaches every node, the publisher included. Pub/sub is at-most-once:
 * whatever is published while a node's subscriber is disconnected never reaches it, so
 * after every reconnect the bus resubscribes and then hands `{ type: 'all' }` to its local
 * subscribers (drop the whole cache). Messages from one publisher arrive in order.
 *
 * @example
 * const bus = createRedisCacheBus({ publisher: redis, subscriber: redis.duplicate() });
 * bus.subscribe((message) => cache.invalidate(message));
 */
export function createRedisCacheBus(options: RedisCacheBusOptions): RedisCacheBus {
  const { publisher, subscriber, channel = 'kw:invalidate', onError = () => {} } = options;
  const local = createLocalSubscribers(onError);
  let closed = false;
  let lostConnection = false;

  const onMessage = (from: string, raw: string) => {
    if (closed || from !== channel) return;
    const message = decodeInvalidation(raw);
    if (message === null)
      onError(new Error(`dropped a malformed invalidation message on channel ${channel}`));
    else local.deliver(message);
  };
  const onClose = () => {
    lostConnection = true;
  };
  const onReady = () => {
    if (closed || !lostConnection) return;
    lostConnection = false;
    // ioredis re-sends SUBSCRIBE itself on reconnect; ours follows it on the same connection,
    // so once it resolves this node is listening again and the flush cannot miss a later message.
    subscriber.subscribe(channel).then(
      () => {
        if (!closed) local.deliver({ type: 'all' });
      },
      (error: unknown) => {
        lostConnection = true;
        onError(error);
      },
    );
  };
  subscriber.on('message', onMessage);
  subscriber.on('close', onClose);
  subscriber.on('ready', onReady);
  const firstSubscribe = subscriber.subscribe(channel).then(() => undefined);
  // When the first SUBSCRIBE fails, the next 'ready' subscribes again (and flushes).
  const subscribed = firstSubscribe.catch((error: unknown) => {
    lostConnection = true;
    onError(error);
  });

  return {
    ready: () => firstSubscribe,
    async publish(message) {
      if (closed) throw new KeywardError('UNAVAILABLE', 'cache bus is closed');
      const payload = encodeInvalidation(message);
      if (decodeInvalidation(payload) === null)
        throw new KeywardError('VALIDATION', 'malformed invalidation message');
      // This node must be listening before its first publish, or it would miss its own message.
      await subscribed;
      await publisher.publish(channel, payload);
    },
    subscribe(handler) {
      return local.add(handler);
    },
    async close() {
      if (closed) return;
      closed = true;
      local.clear();
      subscriber.off('message', onMessage);
      subscriber.off('close', onClose);
      subscriber.off('ready', onReady);
      // Not awaited: with Redis down and an offline queue this would wait for the reconnect.
      void subscriber.unsubscribe(channel).catch(() => {});
    },
  };
}
