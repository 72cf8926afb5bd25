/**
 * `@keyward/sdk/local`: local mode, verifying in-process with a `@keyward/core` engine on
 * the same store as the keyward server. Its own entry so that remote mode (the client, the
 * middleware and `remoteVerifier`) never needs `@keyward/core` or a database driver:
 * install `@keyward/core` (and the driver of your store) only to use this.
 *
 * @example
 * import { createEngine } from '@keyward/core';
 * import { createSqliteHandle, createStore, openSqliteDatabase } from '@keyward/core/sqlite';
 * import { localVerifier } from '@keyward/sdk/local';
 *
 * const sql = createSqliteHandle({ database: openSqliteDatabase('./data/keyward.db') });
 * const engine = createEngine({ store: createStore(sql) });
 * app.use(keyward({ verifier: localVerifier(engine) }));
 */
export * from './local-verifier.js';
