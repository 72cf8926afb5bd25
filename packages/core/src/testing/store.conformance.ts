import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../contracts/store.js';
import { describeAdminRecordCases } from './store-conformance/admin-records.conformance.js';
import { describeChildKeyCases } from './store-conformance/child-keys.conformance.js';
import { describeCreditCases } from './store-conformance/credits.conformance.js';
import { describeEntityCases } from './store-conformance/entities.conformance.js';
import { describeIsolationCases } from './store-conformance/isolation.conformance.js';
import { describeKeyRollCases } from './store-conformance/key-rolls.conformance.js';
import { describeKeySearchCases } from './store-conformance/key-search.conformance.js';
import { describeKeyCases } from './store-conformance/keys.conformance.js';
import { describeLifetimePolicyCases } from './store-conformance/lifetime-policies.conformance.js';
import { describePaginationCases } from './store-conformance/pagination.conformance.js';
import { describePublishableCases } from './store-conformance/publishable.conformance.js';
import { describeTransactionCases } from './store-conformance/transaction.conformance.js';

export interface StoreUnderTest {
  store: Store;
  /** Releases the store (and whatever database it was given); called after each test. */
  cleanup(): Promise<void>;
}

/**
 * The behaviour every `Store` adapter shares. `factory` is called before each test and
 * must return an empty, migrated store.
 *
 * @example
 * describeStoreConformance('sqlite :memory:', async () => {
 *   const sql = createSqliteHandle({ database: openSqliteDatabase(':memory:') });
 *   await migrateSqlite(sql);
 *   const store = createStore(sql);
 *   return { store, cleanup: () => store.close() };
 * });
 */
export function describeStoreConformance(name: string, factory: () => Promise<StoreUnderTest>): void {
  describe(`Store conformance: ${name}`, () => {
    let current: StoreUnderTest | null = null;
    beforeEach(async () => {
      current = await factory();
    });
    afterEach(async () => {
      await current?.cleanup();
      current = null;
    });
    const store = (): Store => {
      if (current === null) throw new Error('the store is only available inside a test');
      return current.store;
    };

    it('answers ping', async () => {
      await expect(store().ping()).resolves.toBeUndefined();
    });

    describeEntityCases(store);
    describeKeyCases(store);
    describeKeyRollCases(store);
    describeChildKeyCases(store);
    describePaginationCases(store);
    describeKeySearchCases(store);
    describeIsolationCases(store);
    describeAdminRecordCases(store);
    describeCreditCases(store);
    describePublishableCases(store);
    describeTransactionCases(store);
    describeLifetimePolicyCases(store);
  });
}
