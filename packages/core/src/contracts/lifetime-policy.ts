/**
 * A per-API key lifetime policy (`PUT /v1/apis/{apiId}/policies/lifetime`): how long new
 * keys may live, when a secret must be rotated, when an unused key is disabled, and how
 * far ahead the holders are reminded. Days are whole days of 86_400_000 ms.
 */
export interface LifetimePolicy {
  workspaceId: string;
  apiId: string;
  /** New keys expire at most this many days after their creation (or update); null: no maximum. */
  maxTtlDays: number | null;
  /** A secret older than this many days answers VALID with a `ROTATION_DUE` warning; null: never. */
  rotateAfterDays: number | null;
  /** Days after `rotateAfterDays` before the key is refused (DISABLED, `rotation_required`). */
  rotationGraceDays: number;
  /** A key not verified for this many days (never verified: since its creation) is disabled (`idle`); null: never. */
  idleDisableAfterDays: number | null;
  /** Reminders (`key.expiring`, `key.rotation_due`, `key.idle`) this many days before each deadline; 0: none. */
  remindBeforeDays: number;
  /** `enforce`: as above. `dry-run`: nothing is refused, warned or disabled; verifications record `wouldDeny`. */
  mode: 'enforce' | 'dry-run';
  createdAt: number;
  updatedAt: number;
}

/** The reminders the lifetime job sends, by webhook event name. */
export type LifetimeNoticeKind = 'key.expiring' | 'key.rotation_due' | 'key.idle';

/** Lifetime policies, one per API, and the reminders already sent. */
export interface LifetimePolicyStore {
  /** The API's policy; null when it has none (or the API is another workspace's). */
  get(workspaceId: string, apiId: string): Promise<LifetimePolicy | null>;
  /** Inserts or replaces the API's policy. */
  put(policy: LifetimePolicy): Promise<void>;
  /** Removes the API's policy; false when it had none. */
  delete(workspaceId: string, apiId: string): Promise<boolean>;
  /** Every policy of every workspace (for the lifetime job), ordered by API id. */
  listAll(): Promise<LifetimePolicy[]>;
  /**
   * Records that the reminder `kind` for the key's deadline `deadline` was sent: true the
   * first time, false (nothing changed) when it was recorded before, by any node.
   */
  claimNotice(keyId: string, kind: LifetimeNoticeKind, deadline: number, now: number): Promise<boolean>;
}
