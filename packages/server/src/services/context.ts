import type { Digester, Engine, Store } from '@keyward/core';

/** What every service function needs; built once by `buildApp`. */
export interface ServiceDeps {
  store: Store;
  engine: Engine;
  /** Same pepper as the engine: converts imported SHA-256 digests. */
  digester: Digester;
  /** Clock in epoch ms. */
  now: () => number;
  /** Drops this node's cached lookups of a root key (after a roll or revoke). */
  forgetRootKey: (rootKeyId: string) => void;
}

/** Who asks: the authenticated root key and where the request came from (for audit events). */
export interface Actor {
  workspaceId: string;
  /** Root key id, or `cli` / `system` for calls that bypass HTTP. */
  rootKeyId: string;
  permissions: readonly string[];
  ip: string | null;
  requestId: string | null;
}
