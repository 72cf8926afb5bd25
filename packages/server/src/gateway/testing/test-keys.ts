import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createEngine,
  type Engine,
  generateKey,
  type KeyRecord,
  keyHint,
  newId,
  type Store,
  type UsageEvent,
} from '@keyward/core';
import { createSqliteHandle, createStore, migrateSqlite, openSqliteDatabase } from '@keyward/core/sqlite';

export interface KeyFixture {
  store: Store;
  engine: Engine;
  workspaceId: string;
  apiId: string;
  consumer: { id: string; externalId: string };
  /** Usage events the engine recorded, in order. */
  usage: UsageEvent[];
  /** Creates a key with the given settings (default: consumer-owned, no permissions, no limits) and returns its plaintext. */
  issue(
    over?: Partial<Omit<KeyRecord, 'credits'>> & { credits?: { remaining: number } },
  ): Promise<{ id: string; key: string }>;
  close(): Promise<void>;
}

/**
 * The real engine on a real SQLite file in a temporary directory, with one workspace, one
 * API (`amp_live`) and one consumer: what gateway tests and the gateway benchmark verify against.
 */
export async function createKeyFixture(): Promise<KeyFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'keyward-gateway-'));
  const sql = createSqliteHandle({ database: openSqliteDatabase(path.join(dir, 'keyward.db')) });
  await migrateSqlite(sql);
  const store = createStore(sql);
  const usage: UsageEvent[] = [];
  const engine = createEngine({ store, usage: { record: (event) => usage.push(event) } });
  const now = Date.now();
  const workspaceId = newId('ws');
  const apiId = newId('api');
  await store.workspaces.create({ id: workspaceId, name: 'Gateway tests', createdAt: now });
  await store.apis.create({
    id: apiId,
    workspaceId,
    name: 'Charging',
    prefix: 'amp_live',
    createdAt: now,
    updatedAt: now,
  });
  const consumer = {
    id: newId('con'),
    workspaceId,
    externalId: 'acme corp/ü',
    name: 'Acme',
    meta: null,
    ratelimits: [],
    credits: null,
    createdAt: now,
    updatedAt: now,
  };
  await store.consumers.create(consumer);

  return {
    store,
    engine,
    workspaceId,
    apiId,
    consumer: { id: consumer.id, externalId: consumer.externalId },
    usage,
    async issue(over = {}) {
      const { credits, ...rest } = over;
      const key = generateKey('amp_live');
      const record: KeyRecord = {
        id: newId('key'),
        workspaceId,
        apiId,
        consumerId: consumer.id,
        digest: engine.digest(key),
        hint: keyHint(key),
        name: null,
        meta: null,
        permissions: [],
        roles: [],
        ratelimits: [],
        credits: credits ? { refill: null } : null,
        allowedIps: [],
        environment: 'live',
        enabled: true,
        disabledReason: null,
        expiresAt: null,
        revokedAt: null,
        imported: false,
        kind: 'secret',
        createdAt: now,
        updatedAt: now,
        ...rest,
      };
      await store.keys.create(record);
      if (credits)
        await store.credits.set({ kind: 'key', id: record.id }, credits.remaining, { refill: null }, now);
      return { id: record.id, key };
    },
    async close() {
      await engine.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
