import { sql } from 'kysely';
import { KeywardError } from '../contracts/errors.js';
import type { SqlStore, StoreTransaction } from '../contracts/store.js';
import type { SqlExecutor, SqlHandle } from '../sql/sql-handle.js';
import { createApiStore } from './apis.js';
import { createAuditStore } from './audit.js';
import { createChildKeyPolicyStore } from './child-key-policies.js';
import { createConsumerStore } from './consumers.js';
import { createContext } from './context.js';
import { createCreditLedger } from './credit-ledger.js';
import { createIdempotencyStore } from './idempotency.js';
import { createKeyStore } from './keys.js';
import { createLeakReportStore } from './leak-reports.js';
import { createLifetimePolicyStore } from './lifetime-policies.js';
import { createPublishablePolicyStore } from './publishable-policies.js';
import { createRoleStore } from './roles.js';
import { createRootKeyStore } from './root-keys.js';
import { createWorkspaceStore } from './workspaces.js';

type StoreAreas = Omit<SqlStore, 'ping' | 'transaction' | 'close'>;

/** Every table area on `executor` (the database's Kysely, or a transaction on it). */
function areasOn(executor: SqlExecutor): StoreAreas {
  const ctx = createContext(executor);
  return {
    workspaces: createWorkspaceStore(ctx),
    apis: createApiStore(ctx),
    consumers: createConsumerStore(ctx),
    roles: createRoleStore(ctx),
    keys: createKeyStore(ctx),
    rootKeys: createRootKeyStore(ctx),
    audit: createAuditStore(ctx),
    idempotency: createIdempotencyStore(ctx),
    leakReports: createLeakReportStore(ctx),
    lifetimePolicies: createLifetimePolicyStore(ctx),
    publishablePolicies: createPublishablePolicyStore(ctx),
    childKeyPolicies: createChildKeyPolicyStore(ctx),
    credits: createCreditLedger(ctx),
  };
}

const ping = async (executor: SqlExecutor): Promise<void> => {
  await sql`select 1`.execute(executor.db);
};

/** The store bound to one open transaction; the transaction's owner commits or rolls back. */
function transactionStore(executor: SqlExecutor): StoreTransaction {
  const tx: StoreTransaction = {
    ...areasOn(executor),
    sql: executor,
    ping: () => ping(executor),
    transaction: (work) => work(tx),
    close: () =>
      Promise.reject(
        new KeywardError('INTERNAL', 'a transaction store ends with its transaction, not close()'),
      ),
  };
  return tx;
}

/**
 * The one `Store` implementation, on the database's one handle (SQLite or PostgreSQL).
 * `close()` closes that handle.
 *
 * @example
 * const sql = createSqliteHandle({ database: openSqliteDatabase('./data/keyward.db') });
 * await migrateSqlite(sql);
 * const store = createStore(sql);
 */
export function createStore(handle: SqlHandle): SqlStore {
  return {
    ...areasOn(handle),
    ping: () => ping(handle),
    transaction: (work) => handle.transaction((executor) => work(transactionStore(executor))),
    close: () => handle.close(),
  };
}
