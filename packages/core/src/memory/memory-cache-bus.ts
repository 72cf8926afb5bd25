import type { CacheBus, InvalidationMessage } from '../contracts/cache-bus.js';
import { KeywardError } from '../contracts/errors.js';

/**
 * The in-process cache bus: one node, synchronous fan-out. `publish` resolves after every
 * handler ran; if handlers threw, it rejects with their errors once all of them ran (one
 * failing subscriber never keeps the others stale).
 *
 * @example
 * const bus = createMemoryCacheBus();
 * const engine = createEngine({ store, bus });
 */
export function createMemoryCacheBus(): CacheBus {
  const handlers = new Set<(message: InvalidationMessage) => void>();
  let closed = false;

  return {
    async publish(message) {
      if (closed) throw new KeywardError('UNAVAILABLE', 'the cache bus is closed');
      const errors: unknown[] = [];
      // A snapshot: handlers that (un)subscribe while being called take effect next time.
      for (const handler of [...handlers]) {
        try {
          handler(message);
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, 'cache bus handlers failed');
    },

    subscribe(handler) {
      if (closed) throw new KeywardError('UNAVAILABLE', 'the cache bus is closed');
      // Wrapped so that subscribing the same function twice gives two independent subscriptions.
      const subscription = (message: InvalidationMessage) => handler(message);
      handlers.add(subscription);
      return () => {
        handlers.delete(subscription);
      };
    },

    async close() {
      closed = true;
      handlers.clear();
    },
  };
}
