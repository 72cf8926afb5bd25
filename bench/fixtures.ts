import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CreditsConfig,
  createDigester,
  type Engine,
  generateKey,
  type KeyRecord,
  keyHint,
  newId,
  type RateLimitConfig,
  type Store,
} from '@keyward/core';
import { createSqliteHandle, createStore, migrateSqlite, openSqliteDatabase } from '@keyward/core/sqlite';

/** One workspace and one API (prefix `bench`) in `store`: what every bench group verifies against. */
export async function seedBench(store: Store): Promise<{ store: Store; workspaceId: string; apiId: string }> {
  const now = Date.now();
  const workspaceId = newId('ws');
  const apiId = newId('api');
  await store.workspaces.create({ id: workspaceId, name: 'bench', createdAt: now });
  await store.apis.create({
    id: apiId,
    workspaceId,
    name: 'bench',
    prefix: 'bench',
    createdAt: now,
    updatedAt: now,
  });
  return { store, workspaceId, apiId };
}

/** A fresh SQLite file store in a temp dir with one workspace and one API. */
export async function benchStore(): Promise<{
  store: Store;
  workspaceId: string;
  apiId: string;
  dir: string;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-bench-'));
  const sql = createSqliteHandle({ database: openSqliteDatabase(join(dir, 'keyward.db')) });
  await migrateSqlite(sql);
  return { ...(await seedBench(createStore(sql))), dir };
}

export interface KeyFixture {
  permissions?: string[];
  ratelimits?: RateLimitConfig[];
  credits?: { remaining: number; config: CreditsConfig };
}

/** Inserts a key straight through the store and returns its plaintext. */
export async function benchKey(
  ctx: { store: Store; workspaceId: string; apiId: string },
  engine: Pick<Engine, 'digest'> | { pepper?: string },
  fixture: KeyFixture = {},
): Promise<{ key: string; id: string }> {
  const key = generateKey('bench');
  const digest = 'digest' in engine ? engine.digest(key) : createDigester({}).digest(key);
  const record = keyRecord(ctx, {
    digest,
    hint: keyHint(key),
    permissions: fixture.permissions ?? [],
    ratelimits: fixture.ratelimits ?? [],
    credits: fixture.credits?.config ?? null,
  });
  const now = record.createdAt;
  await ctx.store.keys.create(record);
  if (fixture.credits !== undefined) {
    await ctx.store.credits.set(
      { kind: 'key', id: record.id },
      fixture.credits.remaining,
      fixture.credits.config,
      now,
    );
  }
  return { key, id: record.id };
}

/** A live key record of the bench's API with everything else at its default. */
export function keyRecord(
  ctx: { workspaceId: string; apiId: string },
  fields: Pick<KeyRecord, 'digest' | 'hint'> & Partial<KeyRecord>,
): KeyRecord {
  const now = Date.now();
  return {
    id: newId('key'),
    workspaceId: ctx.workspaceId,
    apiId: ctx.apiId,
    consumerId: null,
    name: 'bench',
    meta: null,
    permissions: [],
    roles: [],
    ratelimits: [],
    credits: null,
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
    ...fields,
  };
}
