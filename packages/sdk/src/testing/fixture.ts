import { type Engine, generateKey, type Store } from '@keyward/core';
import type { CreateKeyBody, IssuedKey } from '@keyward/protocol';
import { createTestApp } from '@keyward/server/testing';
import { createClient, type KeywardClient } from '../client.js';
import { localVerifier } from '../local-verifier.js';
import { type RemoteVerifierOptions, remoteVerifier } from '../remote-verifier.js';
import type { Verifier } from '../verification.js';

/**
 * The real thing for middleware tests: keyward as `keyward serve` wires it, on SQLite,
 * listening on a loopback port (remote mode calls its verify API; the admin calls go
 * through the SDK's own client). Engine, app and remote cache share one clock that tests
 * move by hand.
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

/** The SDK's fixture on the server's one test app (`createTestApp`), listening on a loopback port. */
export async function createKeywardFixture(): Promise<KeywardFixture> {
  const t = await createTestApp({ listen: true });
  const baseUrl = t.url ?? '';
  const admin = createClient({ baseUrl, rootKey: t.a.rootKey });
  const verifyRootKey = await t.rootKey(['keys:verify']);
  const prefix = 'amp_test';
  const api = await admin.apis.create({ name: 'Charging API', prefix });

  return {
    clock: t.clock,
    store: t.store,
    engine: t.engine,
    baseUrl,
    admin,
    workspaceId: t.a.id,
    apiId: api.id,
    prefix,
    local: localVerifier(t.engine),
    remote: (options = {}) =>
      remoteVerifier({ baseUrl, rootKey: verifyRootKey, cacheTtlMs: 0, now: t.clock.now, ...options }),
    issue: (body = {}) => admin.keys.create({ apiId: api.id, ...body }),
    unknownKey: () => generateKey(prefix),
    close: () => t.close(),
  };
}
