import type { InvalidationMessage } from '../contracts/cache-bus.js';

/** The handlers of one bus instance on this node; one handler's throw never starves the others. */
export interface LocalSubscribers {
  add(handler: (message: InvalidationMessage) => void): () => void;
  deliver(message: InvalidationMessage): void;
  clear(): void;
}

export function createLocalSubscribers(onError: (error: unknown) => void): LocalSubscribers {
  const handlers = new Set<(message: InvalidationMessage) => void>();
  return {
    add(handler) {
      // A wrapper per subscription, so subscribing the same function twice yields two independent subscriptions.
      const entry = (message: InvalidationMessage) => handler(message);
      handlers.add(entry);
      return () => {
        handlers.delete(entry);
      };
    },
    deliver(message) {
      for (const handler of [...handlers]) {
        try {
          handler(message);
        } catch (error) {
          onError(error);
        }
      }
    },
    clear() {
      handlers.clear();
    },
  };
}
