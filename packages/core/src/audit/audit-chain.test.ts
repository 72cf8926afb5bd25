import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../contracts/store.js';
import { newId } from '../keys/ids.js';
import { typesFor } from '../store/migrations/migration-0001-initial.js';
import { auditChain } from '../store/migrations/migration-0003-audit-chain.js';
import { SOURCE_NODE_ARGS, serviceAvailable } from '../testing/services.js';
import {
  auditEvent,
  type ChainBackend,
  postgresChainBackend,
  sqliteChainBackend,
} from './audit-chain.fixtures.js';
import { GENESIS_HASH } from './chain-hash.js';
import { verifyAuditChain } from './verify-audit-chain.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHILD = join(HERE, 'audit-chain.child.ts');
const REPO_ROOT = join(HERE, '../../../..');

const backends: Array<[string, () => Promise<ChainBackend>]> = [['sqlite file', sqliteChainBackend]];
if (await serviceAvailable('postgres')) backends.push(['postgres', postgresChainBackend]);

for (const [name, open] of backends) {
  describe(`audit hash chain: ${name}`, () => {
    let backend: ChainBackend | null = null;
    afterEach(async () => {
      await backend?.cleanup();
      backend = null;
    });

    /** A store with `count` events in one workspace (and noise in another). */
    async function seeded(count: number) {
      backend = await open();
      const store = backend.openStore();
      const ws = newId('ws');
      const other = newId('ws');
      const events = [];
      for (let i = 0; i < count; i++) {
        const event = auditEvent(ws, { action: `key.update.${i}` });
        events.push(event);
        await store.audit.append(event);
        await store.audit.append(auditEvent(other));
      }
      return { store, ws, other, events, backend };
    }

    it('links each event to the one before and verifies', async () => {
      const { store, ws, other } = await seeded(5);
      const chain = await store.audit.chain(ws, 0, 100);
      expect(chain.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(chain[0]?.prevHash).toBe(GENESIS_HASH);
      for (let i = 1; i < chain.length; i++) expect(chain[i]?.prevHash).toBe(chain[i - 1]?.hash);
      const head = await store.audit.head(ws);
      expect(head).toEqual({ seq: 5, hash: chain[4]?.hash });
      await expect(verifyAuditChain(store, ws)).resolves.toEqual({ ok: true, count: 5, head });
      await expect(verifyAuditChain(store, other)).resolves.toMatchObject({ ok: true, count: 5 });
      await expect(verifyAuditChain(store, newId('ws'))).resolves.toEqual({ ok: true, count: 0, head: null });
      // Small pages walk the same chain.
      await expect(verifyAuditChain(store, ws, { pageSize: 2 })).resolves.toMatchObject({
        ok: true,
        count: 5,
      });
    });

    it('detects an edited field (UPDATE of a row)', async () => {
      const { store, ws, other, events, backend } = await seeded(4);
      const victim = events[2]?.id as string;
      await backend.exec("update audit_events set actor = 'rk_attacker' where id = ?", [victim]);
      await expect(verifyAuditChain(store, ws)).resolves.toEqual({
        ok: false,
        brokenAt: victim,
        reason: expect.stringContaining('edited'),
      });
      // The other workspace's chain is untouched.
      await expect(verifyAuditChain(store, other)).resolves.toMatchObject({ ok: true });
    });

    it('detects an edited before/after document', async () => {
      const { store, ws, events, backend } = await seeded(3);
      const victim = events[0]?.id as string;
      await backend.exec(`update audit_events set after_data = '{"name":"forged"}' where id = ?`, [victim]);
      await expect(verifyAuditChain(store, ws)).resolves.toMatchObject({ ok: false, brokenAt: victim });
    });

    it('detects a deleted event in the middle', async () => {
      const { store, ws, events, backend } = await seeded(5);
      await backend.exec('delete from audit_events where id = ?', [events[1]?.id]);
      await expect(verifyAuditChain(store, ws)).resolves.toEqual({
        ok: false,
        brokenAt: events[2]?.id,
        reason: expect.stringContaining('missing'),
      });
    });

    it('detects deleted events at the end (the head remembers)', async () => {
      const { store, ws, events, backend } = await seeded(4);
      await backend.exec('delete from audit_events where id = ?', [events[3]?.id]);
      await expect(verifyAuditChain(store, ws)).resolves.toEqual({
        ok: false,
        brokenAt: events[2]?.id,
        reason: expect.stringContaining('missing at the end'),
      });
      await backend.exec('delete from audit_events where workspace_id = ?', [ws]);
      await expect(verifyAuditChain(store, ws)).resolves.toMatchObject({ ok: false, brokenAt: null });
    });

    it('detects two events swapped (reordered)', async () => {
      const { store, ws, events, backend } = await seeded(4);
      const [a, b] = [events[1]?.id, events[2]?.id];
      await backend.exec('update audit_events set seq = -1 where id = ?', [a]);
      await backend.exec('update audit_events set seq = 2 where id = ?', [b]);
      await backend.exec('update audit_events set seq = 3 where id = ?', [a]);
      await expect(verifyAuditChain(store, ws)).resolves.toEqual({
        ok: false,
        brokenAt: b,
        reason: expect.stringContaining('reordered'),
      });
    });

    it('detects a chain rewritten with recomputed hashes, given an anchor', async () => {
      const { store, ws, events, backend } = await seeded(3);
      const verdict = await verifyAuditChain(store, ws);
      if (!verdict.ok || verdict.head === null) throw new Error('expected an intact chain');
      const anchor = verdict.head;
      // An attacker with write access deletes everything and appends a forged history.
      await backend.exec('delete from audit_events where workspace_id = ?', [ws]);
      await backend.exec('delete from audit_chain_heads where workspace_id = ?', [ws]);
      for (const event of events) await store.audit.append({ ...event, id: newId('evt'), actor: 'forged' });
      await expect(verifyAuditChain(store, ws)).resolves.toMatchObject({ ok: true, count: 3 });
      await expect(verifyAuditChain(store, ws, { anchor })).resolves.toEqual({
        ok: false,
        brokenAt: expect.any(String),
        reason: expect.stringContaining('anchor'),
      });
      await expect(
        verifyAuditChain(store, ws, { anchor: { seq: 9, hash: anchor.hash } }),
      ).resolves.toMatchObject({ ok: false, reason: expect.stringContaining('beyond') });
    });

    it('refuses a duplicate id without advancing the chain', async () => {
      const { store, ws, events } = await seeded(2);
      await expect(store.audit.append(events[0] as NonNullable<(typeof events)[0]>)).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      await expect(store.audit.head(ws)).resolves.toMatchObject({ seq: 2 });
      await store.audit.append(auditEvent(ws));
      await expect(verifyAuditChain(store, ws)).resolves.toMatchObject({ ok: true, count: 3 });
    });

    it('never forks under concurrent appends', async () => {
      backend = await open();
      // PostgreSQL: three stores with their own pools act as three nodes. SQLite: one store
      // per process (handles in one process would block each other's event loop); the
      // multi-process case is the next test.
      const stores: Store[] =
        backend.dialect === 'postgres'
          ? [backend.openStore(), backend.openStore(), backend.openStore()]
          : [backend.openStore()];
      const ws = newId('ws');
      const appends = Array.from({ length: 60 }, (_, i) =>
        (stores[i % stores.length] as Store).audit.append(auditEvent(ws, { action: `race.${i}` })),
      );
      await Promise.all(appends);
      const [first] = stores as [Store];
      await expect(verifyAuditChain(first, ws)).resolves.toMatchObject({ ok: true, count: 60 });
      const chain = await first.audit.chain(ws, 0, 1000);
      expect(new Set(chain.map((e) => e.prevHash)).size).toBe(60);
    });

    it('links events written before the chain existed (migration backfill)', async () => {
      const { store, ws, other, backend } = await seeded(3);
      // Undo the chain as if the rows predated migration 0003, then run its `up` again.
      await backend.exec('update audit_events set seq = null, prev_hash = null, hash = null');
      await backend.exec('delete from audit_chain_heads');
      await expect(verifyAuditChain(store, ws)).resolves.toMatchObject({ ok: false });
      await auditChain(typesFor(backend.dialect), backend.dialect).up(backend.kysely());
      await expect(verifyAuditChain(store, ws)).resolves.toMatchObject({ ok: true, count: 3 });
      await expect(verifyAuditChain(store, other)).resolves.toMatchObject({ ok: true, count: 3 });
      await store.audit.append(auditEvent(ws));
      await expect(verifyAuditChain(store, ws)).resolves.toMatchObject({ ok: true, count: 4 });
    });
  });
}

// Only SQLite has several processes on one file; PostgreSQL's several nodes are the concurrent-appends test above.
describe('audit hash chain: sqlite file, several processes', () => {
  let backend: ChainBackend | null = null;
  afterEach(async () => {
    await backend?.cleanup();
    backend = null;
  });

  it('never forks with several processes on one file', async () => {
    backend = await sqliteChainBackend();
    const store = backend.openStore();
    const ws = newId('ws');
    await store.audit.append(auditEvent(ws));
    const path = backend.path as string;
    const children = [1, 2, 3].map(
      () =>
        new Promise<number | null>((resolve, reject) => {
          const child = spawn(process.execPath, [...SOURCE_NODE_ARGS, CHILD, path, ws, '20'], {
            cwd: REPO_ROOT,
            stdio: ['ignore', 'ignore', 'inherit'],
          });
          child.once('error', reject);
          child.once('exit', resolve);
        }),
    );
    await expect(Promise.all(children)).resolves.toEqual([0, 0, 0]);
    await expect(verifyAuditChain(store, ws)).resolves.toMatchObject({ ok: true, count: 61 });
  });
});
