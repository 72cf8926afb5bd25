import { type Kysely, sql } from 'kysely';
import type { Store } from '../contracts/store.js';
import { createApiStore } from './apis.js';
import { createAuditStore } from './audit.js';
import { createConsumerStore } from './consumers.js';
import { createContext, type Dialect } from './context.js';
import { createCreditLedger } from './credit-ledger.js';
import { createIdempotencyStore } from './idempotency.js';
import { createKeyStore } from './keys.js';
import { createLeakReportStore } from './leak-reports.js';
import { createRoleStore } from './roles.js';
import { createRootKeyStore } from './root-keys.js';
import type { Database } from './schema.js';
import { createWorkspaceStore } from './workspaces.js';

/**
 * The one `Store` implementation, shared by SQLite and PostgreSQL. `close()` destroys the
 * Kysely instance, then calls `release` (which closes the handle or pool the adapter was
 * given: Kysely alone skips that when no query ever ran); calling it again is harmless.
 */
export function createKyselyStore(
  db: Kysely<Database>,
  dialect: Dialect,
  release: () => Promise<void> | void,
): Store {
  const ctx = createContext(db, dialect);
  let closing: Promise<void> | null = null;
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
    credits: createCreditLedger(ctx),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close() {
      closing ??= db.destroy().then(release);
      return closing;
    },
  };
}
