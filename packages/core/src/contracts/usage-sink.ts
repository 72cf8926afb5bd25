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
}

/**
 * Where verification hands its usage events. `record` must return at once and never
 * throw or do I/O on the caller's path: implementations buffer and write in batches.
 */
export interface UsageSink {
  record(event: UsageEvent): void;
}
