import type { Digester, Engine, Store } from '@keyward/core';
import type { AlertStore, PolicyStore } from '@keyward/core/monitoring';
import type { WebhookStore } from '@keyward/core/webhooks';

/** Where webhook events are queued (the outbox) and who delivers them. */
export interface WebhookOutbox {
  store: WebhookStore;
  /** Wakes the dispatcher after events were queued (so they go out now, not at its next poll). */
  notify(): void;
}

/** What every service function needs; built once by `buildApp`. */
export interface ServiceDeps {
  store: Store;
  engine: Engine;
  /** Same pepper as the engine: converts imported SHA-256 digests. */
  digester: Digester;
  /** Clock in epoch ms. */
  now: () => number;
  /** Drops every node's cached lookups of a root key (after a roll or revoke), through the cache bus. */
  forgetRootKey: (rootKeyId: string) => Promise<void>;
  /** Alerts and monitoring policies; absent: `/v1/alerts` and `/v1/workspace/policy` are not served. */
  monitoring?: { alerts: AlertStore; policies: PolicyStore };
  /** Webhook endpoints and outbox; absent: `/v1/webhooks` is not served and no event is queued. */
  webhooks?: WebhookOutbox;
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
