import type { DependencyGuard, Store } from '@keyward/core';

/**
 * The store with its root-key lookup (the first read of every verify API call) under a
 * deadline and circuit breaker, like the engine's own key lookups: a hung database then
 * costs a verify call at most the deadline, after which a root key seen lately is served
 * from the app's cache (see `auth.ts`). A database that is down already answers
 * `UNAVAILABLE` (503) from its adapter (`createSqliteHandle`, `createPostgresHandle`).
 */
export function withGuardedRootKeyLookup(store: Store, guard: DependencyGuard): Store {
  const { rootKeys } = store;
  return {
    ...store,
    rootKeys: { ...rootKeys, findByDigest: (digest) => guard.run(() => rootKeys.findByDigest(digest)) },
  };
}
