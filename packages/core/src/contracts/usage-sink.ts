import type { VerifyCode } from '@keyward/protocol';

/** One verification outcome, as recorded for analytics (never the key or its digest). */
export interface UsageEvent {
  /** Epoch ms. */
  time: number;
  workspaceId: string | null;
  apiId: string | null;
  keyId: string | null;
  consumerId: string | null;
  /** A child key's parent (absent for every other key). */
  parentKeyId?: string;
  code: VerifyCode;
  /** Credits spent (0 when denied or free). */
  cost: number;
  ip: string | null;
  tags: string[];
  /** Dry-run rules that would have denied this verification, as codes (absent: none). */
  wouldDeny?: readonly string[];
  /**
   * Which secret of a rolled key was presented, while its roll is of interest: `previous`
   * (a rolled-away digest, whatever the outcome) or `current` (while an old digest is in
   * its grace period). Absent otherwise.
   */
  credential?: 'current' | 'previous';
  /** The roll `credential` belongs to: its time (see `KeyRollRef.rolledAt`). Set with `credential`. */
  rolledAt?: number;
  /** With `credential`: the client's `User-Agent` when the verifying face passed it (`VerifyOptions.client`), at most 256 characters. */
  userAgent?: string;
}

/**
 * Where verification hands its usage events. `record` must return at once and never
 * throw or do I/O on the caller's path: implementations buffer and write in batches.
 */
export interface UsageSink {
  record(event: UsageEvent): void;
}
