import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, generateKey, newId, type Store } from '@keyward/core';
import { createSqliteStore, migrateSqlite, openSqliteDatabase } from '@keyward/core/sqlite';
import type { CreateKeyBody, IssuedKey } from '@keyward/protocol';
import { buildApp, issueRootKey } from '@keyward/server';
import { createClient, type KeywardClient } from '../client.js';
import { localVerifier } from '../local-verifier.js';
import { type RemoteVerifierOptions, remoteVerifier } from '../remote-verifier.js';
import type { Verifier } from '../verification.js';

/**
 * The real thing for middleware tests: a SQLite file store, an engine on it, and the
 * keyward app listening on a loopback port (remote mode calls its verify API; the admin
 * calls go through the SDK's own client). Engine, app and remote cache share one clock
 * that tests move by hand.
 */
export interface KeywardFixture {
  clock: { now: () => number; advance(ms: number): void };
  store: Store;
  engine: Engine;
  baseUrl: string;
  /** Admin client with a `*` root key. */
  admin: KeywardClient;
  /** The workspace of the admin client. */
  workspaceId: string;
  /** The charging API keys are issued for. */
  apiId: string;
  prefix: string;
  /** In-process verification on the same engine. */
  local: Verifier;
  /** Verification through the verify API with a root key that may only verify (cache off unless asked). */
  remote(options?: Partial<RemoteVerifierOptions>): Verifier;
  /** Issues a key of the charging API (default: no permissions, limits or credits). */
  issue(body?: Partial<CreateKeyBody>): Promise<IssuedKey>;
  /** A well-formed key with a valid checksum that was never issued. */
  unknownKey(): string;
  close(): Promise<void>;
}

export async function createKeywardFixture(): Promise<KeywardFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-sdk-'));
  const database = openSqliteDatabase(join(dir, 'keyward.db'));
  await migrateSqlite(database);
  const store = createSqliteStore({ database });
  let current = Date.UTC(2030, 0, 1);
  const clock = {
    now: () => current,
    advance: (ms: number) => {
      current += ms;
    },
  };
  const engine = createEngine({ store, now: clock.now });
  const app = await buildApp({ store, engine, now: clock.now });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('keyward app is not on a TCP port');
  const baseUrl = `http://127.0.0.1:${address.port}`;

  const workspaceId = newId('ws');
  await store.workspaces.create({ id: workspaceId, name: 'Charging Co', createdAt: clock.now() });
  const issueRoot = async (permissions: string[]) =>
    (await issueRootKey({ store, engine, now: clock.now }, { workspaceId, permissions })).plaintext;
  const admin = createClient({ baseUrl, rootKey: await issueRoot(['*']) });
  const verifyRootKey = await issueRoot(['keys:verify']);
  const prefix = 'amp_test';
  const api = await admin.apis.create({ name: 'Charging API', prefix });

  return {
    clock,
    store,
    engine,
    baseUrl,
    admin,
    workspaceId,
    apiId: api.id,
    prefix,
    local: localVerifier(engine),
    remote: (options = {}) =>
      remoteVerifier({ baseUrl, rootKey: verifyRootKey, cacheTtlMs: 0, now: clock.now, ...options }),
    issue: (body = {}) => admin.keys.create({ apiId: api.id, ...body }),
    unknownKey: () => generateKey(prefix),
    async close() {
      await app.close();
      await engine.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
