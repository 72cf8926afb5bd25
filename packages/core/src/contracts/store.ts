import type { LifetimePolicyStore } from './lifetime-policy.js';
import type {
  Api,
  AuditEvent,
  ChildKeyPolicy,
  Consumer,
  KeyRecord,
  Meta,
  PublishablePolicy,
  Role,
  RootKey,
  Workspace,
} from './model.js';

/**
 * Persistence behind one narrow interface per concern. Every method that reads or writes
 * tenant data takes the workspace id and never returns a row of another workspace (a
 * wrong-workspace id behaves exactly like an unknown id). Implementations: SQLite and
 * PostgreSQL through Kysely (`kysely-store.ts`); both pass `store.conformance.ts`.
 *
 * Writes are durable when their promise resolves (SQLite WAL with synchronous=FULL, a
 * committed PostgreSQL transaction). Unique violations surface as `KeywardError` with
 * code `CONFLICT`; nothing else is translated.
 */

export interface Page<T> {
  items: T[];
  /** Opaque; pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface PageQuery {
  /** 1-100, default 50. */
  limit?: number;
  cursor?: string | null;
}

export type Patch<T> = { [K in keyof T]?: T[K] };

export interface WorkspaceStore {
  create(ws: Workspace): Promise<void>;
  get(id: string): Promise<Workspace | null>;
  list(): Promise<Workspace[]>;
}

export interface ApiStore {
  create(api: Api): Promise<void>;
  get(workspaceId: string, id: string): Promise<Api | null>;
  list(workspaceId: string, page: PageQuery): Promise<Page<Api>>;
  /** Returns the updated row, or null if unknown. */
  update(
    workspaceId: string,
    id: string,
    patch: Patch<Pick<Api, 'name' | 'prefix'>>,
    now: number,
  ): Promise<Api | null>;
  /** Deletes the API and all its keys (and their previous digests). False if unknown. */
  delete(workspaceId: string, id: string): Promise<boolean>;
}

export interface ConsumerStore {
  create(consumer: Consumer): Promise<void>;
  get(workspaceId: string, id: string): Promise<Consumer | null>;
  getByExternalId(workspaceId: string, externalId: string): Promise<Consumer | null>;
  list(workspaceId: string, page: PageQuery): Promise<Page<Consumer>>;
  update(
    workspaceId: string,
    id: string,
    patch: Patch<Pick<Consumer, 'externalId' | 'name' | 'meta' | 'ratelimits' | 'credits'>>,
    now: number,
  ): Promise<Consumer | null>;
  /** Deletes the consumer; its keys keep working with consumerId set to null. False if unknown. */
  delete(workspaceId: string, id: string): Promise<boolean>;
}

export interface RoleStore {
  create(role: Role): Promise<void>;
  get(workspaceId: string, id: string): Promise<Role | null>;
  /** Roles by name (unknown names are absent from the result). */
  getByNames(workspaceId: string, names: readonly string[]): Promise<Role[]>;
  list(workspaceId: string, page: PageQuery): Promise<Page<Role>>;
  update(
    workspaceId: string,
    id: string,
    patch: Patch<Pick<Role, 'name' | 'description' | 'permissions'>>,
    now: number,
  ): Promise<Role | null>;
  delete(workspaceId: string, id: string): Promise<boolean>;
}

/** What a digest lookup finds: the key, and a grace deadline when it matched a rolled-away digest. */
export interface KeyLookup {
  key: KeyRecord;
  /** null: matched the current digest. A number: matched an old digest valid until then. */
  graceUntil: number | null;
  /**
   * The roll this secret belongs to, for rotation telemetry (absent: the key was never
   * rolled). An old digest: the roll that retired it. The current digest: the key's latest
   * roll, with the grace deadline of the digest it retired.
   */
  roll?: KeyRollRef;
}

/** A roll of a key, named by its time (never by a digest), and its old digest's grace deadline. */
export interface KeyRollRef {
  /** When the key was rolled (0: a roll made before rotation telemetry existed). */
  rolledAt: number;
  graceUntil: number;
}

/** A change to the grace period of a key's rolled-away digests (see `KeyStore.setGrace`). */
export type GraceChange =
  /** The latest roll's old digest verifies until `graceUntil`. */
  | { type: 'extend'; graceUntil: number }
  /** Every old digest still in its grace stops verifying at `now`. */
  | { type: 'end' };

/** Derived state of a key at a moment (revoked first, then expired, then disabled, else active). */
export type KeyState = 'active' | 'disabled' | 'expired' | 'revoked';

export interface KeyListQuery extends PageQuery {
  apiId?: string;
  consumerId?: string;
  /** Only the child keys of this key (its direct children). */
  parentKeyId?: string;
  /**
   * Case-insensitive substring (1-200 characters) of the key's name or hint, or of its
   * consumer's external id; a key id finds that key.
   */
  search?: string;
  /** Only keys in this state at `at` (epoch ms). */
  state?: { is: KeyState; at: number };
  /** `asc` (default): oldest first. `desc`: newest first (the cursor then pages backwards in time). */
  order?: 'asc' | 'desc';
}

export type KeyPatch = Patch<
  Pick<
    KeyRecord,
    | 'name'
    | 'meta'
    | 'permissions'
    | 'roles'
    | 'ratelimits'
    | 'credits'
    | 'allowedIps'
    | 'allowedIpsMode'
    | 'enabled'
    | 'disabledReason'
    | 'expiresAt'
    | 'consumerId'
  >
>;

export interface KeyStore {
  /** Inserts the key; `CONFLICT` if its digest exists in its workspace (current or previous digest of a key there). */
  create(key: KeyRecord): Promise<void>;
  /** Inserts many keys in one transaction: all or none. */
  createMany(keys: readonly KeyRecord[]): Promise<void>;
  get(workspaceId: string, id: string): Promise<KeyRecord | null>;
  /**
   * Lookup used by verification, across workspaces: every key whose current or previous
   * digest this is, oldest first; empty when none. Digests are unique per workspace only,
   * so two workspaces holding the same secret (an imported legacy key) both match.
   */
  findByDigest(digest: string): Promise<KeyLookup[]>;
  list(workspaceId: string, query: KeyListQuery): Promise<Page<KeyRecord>>;
  update(workspaceId: string, id: string, patch: KeyPatch, now: number): Promise<KeyRecord | null>;
  /** Sets revokedAt (idempotent: an already revoked key keeps its first revokedAt). */
  revoke(workspaceId: string, id: string, now: number): Promise<KeyRecord | null>;
  /**
   * Revokes every descendant (children, their children, ...) of a key that is not revoked
   * yet; returns them as they are now revoked (empty when none).
   */
  revokeDescendants(workspaceId: string, id: string, now: number): Promise<KeyRecord[]>;
  /**
   * Replaces the current digest and hint in one transaction; the old digest stays
   * findable (with `graceUntil`) until `graceUntil`, then still resolves so that it can
   * answer like a revoked key. Returns the old digest too, for cache invalidation.
   */
  roll(
    workspaceId: string,
    id: string,
    next: { digest: string; hint: string; graceUntil: number },
    now: number,
  ): Promise<{ key: KeyRecord; oldDigest: string } | null>;
  /** The key's rolls, latest first (empty: never rolled); null when the key is unknown in the workspace. */
  rolls(workspaceId: string, id: string): Promise<KeyRollRef[] | null>;
  /**
   * Moves the grace deadline of the key's old digests (see `GraceChange`); only digests
   * whose grace is still running at `now` change. Returns the rolls after the change
   * (latest first), or null when the key is unknown in the workspace.
   */
  setGrace(workspaceId: string, id: string, change: GraceChange, now: number): Promise<KeyRollRef[] | null>;
  /** Deletes the key and its previous digests; returns every digest it had (for caches). */
  delete(workspaceId: string, id: string): Promise<string[] | null>;
  /** Every digest (current and previous) of a key, for cache invalidation. */
  digests(id: string): Promise<string[]>;
  /** True once any imported key exists (lets verification look up foreign-format keys). */
  hasImported(): Promise<boolean>;
}

export interface RootKeyStore {
  create(rootKey: RootKey): Promise<void>;
  findByDigest(digest: string): Promise<RootKey | null>;
  get(workspaceId: string, id: string): Promise<RootKey | null>;
  list(workspaceId: string, page: PageQuery): Promise<Page<RootKey>>;
  /** Replaces digest and hint (the old root key stops working at once). */
  roll(
    workspaceId: string,
    id: string,
    next: { digest: string; hint: string },
    now: number,
  ): Promise<RootKey | null>;
  revoke(workspaceId: string, id: string, now: number): Promise<RootKey | null>;
}

export interface AuditQuery extends PageQuery {
  action?: string;
  actor?: string;
  targetId?: string;
  /** Events with createdAt >= from. */
  from?: number;
  /** Events with createdAt < to. */
  to?: number;
}

/** An audit event with its link in the workspace's hash chain (see `audit/chain-hash.ts`). */
export interface ChainedAuditEvent extends AuditEvent {
  /** 1, 2, 3, ... per workspace, without gaps. */
  seq: number;
  /** The hash of the event before (`GENESIS_HASH` for seq 1). */
  prevHash: string;
  /** `SHA-256(prevHash || canonical JSON of the event)`, hex. */
  hash: string;
}

/** The last link of a workspace's chain, kept apart from the events so that a deleted tail is detectable. */
export interface AuditChainHead {
  seq: number;
  hash: string;
}

export interface AuditStore {
  /**
   * Appends the event as the next link of its workspace's hash chain, in one transaction
   * that holds the workspace's chain head locked (the chain never forks, whatever the
   * number of nodes). A duplicate id is `CONFLICT` and leaves the chain unchanged.
   */
  append(event: AuditEvent): Promise<void>;
  list(workspaceId: string, query: AuditQuery): Promise<Page<AuditEvent>>;
  /**
   * Chained events in `seq` order with seq > `afterSeq`, at most `limit` (1-1000): what a
   * verifier walks. With `afterSeq` 0, events without a seq (as seq 0) or below 1 come first.
   */
  chain(workspaceId: string, afterSeq: number, limit: number): Promise<ChainedAuditEvent[]>;
  /** The workspace's chain head; null before its first event. */
  head(workspaceId: string): Promise<AuditChainHead | null>;
}

/** Stored replies for `Idempotency-Key` (scoped to workspace + key; kept 24 h). */
export interface IdempotencyStore {
  /** null when unknown or older than 24 h at `now` (default `Date.now()`). */
  get(
    workspaceId: string,
    key: string,
    now?: number,
  ): Promise<{ fingerprint: string; status: number; body: Meta } | null>;
  /** Stores the reply; false if another reply for the same key was stored first. */
  put(
    workspaceId: string,
    key: string,
    reply: { fingerprint: string; status: number; body: Meta },
    now: number,
  ): Promise<boolean>;
}

/** Owner of a credit balance: a key or a consumer. */
export interface CreditOwner {
  kind: 'key' | 'consumer';
  id: string;
}

export interface CreditSpend {
  ok: boolean;
  /** Balance after the spend (or the unchanged balance when refused). */
  remaining: number;
}

/** A balance as stored, before any refill that fell due since `lastRefillAt`. */
export interface CreditBalance {
  remaining: number;
  /** Start of the current refill period (epoch ms); `set` moves it to its `now`. */
  lastRefillAt: number;
  config: import('./model.js').CreditsConfig | null;
}

/**
 * Credit balances, the source of truth for quotas. `spend` is atomic: it first applies
 * any refill that fell due since the last one (see quota.ts), then takes `cost` if and
 * only if at least `cost` remains. A balance never goes below zero.
 *
 * A ledger says how it spends with `kind`, and the type holds it to that. `durable`: the
 * database's own ledger (or a wrapper of one), every spend a promise. `memory`: balances held
 * in this process's memory (`cached-credit-ledger.ts`), so a loaded balance is spent at once
 * and `spend` returns the result itself; a balance not loaded yet (or a closed ledger) still
 * answers with a promise. There is one `spend`, so a wrapper cannot change the spending and
 * leave a fast path around it; a wrapper that waits may return a promise from either kind.
 */
export type CreditLedger = DurableCreditLedger | MemoryCreditLedger;

interface CreditLedgerBase {
  /** null balance = unlimited (no row). */
  get(owner: CreditOwner, now: number): Promise<number | null>;
  /** Sets (or with null removes) the balance and the refill schedule start. */
  set(
    owner: CreditOwner,
    remaining: number | null,
    config: import('./model.js').CreditsConfig | null,
    now: number,
  ): Promise<void>;
  /**
   * Gives back `amount` credits that a `spend` took when a later check of the same
   * verification denied it (the key's credits were spent, then the consumer's were short).
   * One atomic increment; no refill applied; no-op when the owner has no balance row.
   */
  refund(owner: CreditOwner, amount: number, now: number): Promise<void>;
  /**
   * Told after a committed database transaction set `owner`'s stored balance through the
   * database's own ledger (admin writes do: the balance commits with the key). A ledger
   * that holds balances away from the database (in memory, in Redis) drops its copy, the
   * unsynced spends of the replaced balance with it, so that the next spend loads the new
   * one; the database's own ledger has nothing to drop.
   */
  reload(owner: CreditOwner): Promise<void>;
  /**
   * The stored balance as is (no refill applied); null when the owner has no balance.
   * Optional: ledgers that cache balances and apply refills themselves load through it
   * (`cached-credit-ledger.ts`, `redis/redis-credit-ledger.ts`), and check for it once,
   * when they are created.
   */
  read?(owner: CreditOwner): Promise<CreditBalance | null>;
}

/**
 * Leak reports already processed (GitHub secret scanning, `POST /v1/keys/report-leak`),
 * found by a digest of what was reported, so that a replay acts once. Kept for good.
 */
export interface LeakReportStore {
  /** The answer given when the report was processed; null when it never was. */
  get(source: string, digest: string): Promise<string | null>;
  /** Records a processed report; false (and nothing changed) when it was recorded before. */
  put(source: string, digest: string, feedback: string, now: number): Promise<boolean>;
}

/** Each API's publishable-key policy (one row per API, deleted with it). */
export interface PublishablePolicyStore {
  /** The saved policy, or null when the API never saved one (or belongs to another workspace). */
  get(workspaceId: string, apiId: string): Promise<PublishablePolicy | null>;
  /** Creates or replaces the API's policy. */
  put(policy: PublishablePolicy): Promise<void>;
}

/** The database's ledger, Redis's, or any wrapper that waits: every spend is a promise. */
export interface DurableCreditLedger extends CreditLedgerBase {
  readonly kind: 'durable';
  /** `cost` is a non-negative integer (else `VALIDATION`). No balance (no row) = unlimited: ok, remaining Infinity. */
  spend(owner: CreditOwner, cost: number, now: number): Promise<CreditSpend>;
}

/** Balances in this process's memory: a loaded one is spent at once. */
export interface MemoryCreditLedger extends CreditLedgerBase {
  readonly kind: 'memory';
  /** As `DurableCreditLedger.spend`; the result itself when the balance is loaded, else a promise. */
  spend(owner: CreditOwner, cost: number, now: number): CreditSpend | Promise<CreditSpend>;
}

/** Per-API child-key policies (an API without one has `DEFAULT_CHILD_KEY_POLICY`). */
export interface ChildKeyPolicyStore {
  /** The API's stored policy; null when none was set (or the API is of another workspace). */
  get(workspaceId: string, apiId: string): Promise<ChildKeyPolicy | null>;
  /** Creates or replaces the API's policy. */
  put(workspaceId: string, apiId: string, policy: ChildKeyPolicy, now: number): Promise<void>;
}

export interface Store {
  workspaces: WorkspaceStore;
  apis: ApiStore;
  consumers: ConsumerStore;
  roles: RoleStore;
  keys: KeyStore;
  rootKeys: RootKeyStore;
  audit: AuditStore;
  idempotency: IdempotencyStore;
  leakReports: LeakReportStore;
  /** Key lifetime policies per API (`contracts/lifetime-policy.ts`). */
  lifetimePolicies: LifetimePolicyStore;
  publishablePolicies: PublishablePolicyStore;
  childKeyPolicies: ChildKeyPolicyStore;
  credits: CreditLedger;
  /** Cheap round trip for /readyz. Throws when the database is unreachable. */
  ping(): Promise<void>;
  /**
   * Runs `work` in one database transaction with a `Store` of the same shape bound to it:
   * every write through `tx` commits when `work` resolves and none does when it throws (the
   * error is rethrown). Calls on `tx` run one after another; inside, `tx.transaction` joins
   * the transaction. `tx.sql` lets the other stores on the same database (the webhook
   * outbox, alerts) join it too. Invalidate caches and wake dispatchers only after this
   * resolves: a rolled-back write must not be announced.
   */
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /** Closes the database handle the store was created on (for every store on it); harmless twice. */
  close(): Promise<void>;
}

/** The `Store` as `createStore` makes it: its ledger is the database's own. */
export interface SqlStore extends Store {
  credits: DurableCreditLedger;
}

/** The `Store` inside `Store.transaction`, and the transaction's executor for other SQL stores. */
export interface StoreTransaction extends SqlStore {
  readonly sql: import('../sql/sql-handle.js').SqlExecutor;
}
