/**
 * Cross-node cache invalidation. Every change to a key (or to what its verification
 * depends on: roles, consumer, API) is published; every node drops the affected cache
 * entries. Digests are published so that negative entries for a just-created key die too.
 * Root-key rolls and revokes ride the same bus (`root_key`), so an admin credential stops
 * working on every node at once; the verification cache ignores those.
 * Implementations: in-process (`memory-cache-bus.ts`), Redis pub/sub, PostgreSQL LISTEN/NOTIFY.
 */
export type InvalidationMessage =
  | { type: 'key'; keyId: string; digests: string[] }
  | { type: 'root_key'; rootKeyId: string }
  | { type: 'consumer'; consumerId: string }
  | { type: 'workspace'; workspaceId: string }
  | { type: 'all' };

export interface CacheBus {
  /** Resolves once the message is handed to the transport (every subscriber, this node included, receives it). */
  publish(message: InvalidationMessage): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(handler: (message: InvalidationMessage) => void): () => void;
  close(): Promise<void>;
}
