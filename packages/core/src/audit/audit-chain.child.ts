/**
 * Child process of `audit-chain.test.ts`: appends `count` audit events of `workspaceId`
 * to the SQLite file at `path` (as another keyward process on the same file would), then
 * exits 0. Usage: `node --import tsx audit-chain.child.ts <path> <workspaceId> <count>`.
 */
import { createSqliteHandle, createStore, openSqliteDatabase } from '../store/sqlite.js';
import { auditEvent } from './audit-chain.fixtures.js';

const [path = '', workspaceId = '', count = '0'] = process.argv.slice(2);
const store = createStore(createSqliteHandle({ database: openSqliteDatabase(path) }));
const appends = Array.from({ length: Number(count) }, (_, i) =>
  store.audit.append(auditEvent(workspaceId, { action: `child.${process.pid}.${i}` })),
);
await Promise.all(appends);
await store.close();
