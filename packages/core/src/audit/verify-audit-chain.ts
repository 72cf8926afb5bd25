import type { AuditStore } from '../contracts/store.js';
import { chainHash, GENESIS_HASH } from './chain-hash.js';

/** What `verifyAuditChain` finds. */
export type AuditChainVerdict =
  | {
      ok: true;
      /** Events in the chain. */
      count: number;
      /** The last link (null for a workspace without events): store it elsewhere to detect a rewritten chain later. */
      head: { seq: number; hash: string } | null;
    }
  | {
      ok: false;
      /**
       * The first event that does not fit: edited (its hash), out of place (its seq or
       * prevHash), or the last intact event when events after it are missing. null when
       * the chain breaks before any event (the head is missing or the first event is gone).
       */
      brokenAt: string | null;
      /** What is wrong, in one sentence (never an event's content). */
      reason: string;
    };

export interface VerifyAuditChainOptions {
  /** Events read per query. Default 500. */
  pageSize?: number;
  /**
   * A link recorded earlier (from a previous verdict's `head`): the chain must still hold
   * exactly this hash at this seq. Detects a chain rewritten from scratch by someone who
   * could recompute every hash (an unkeyed hash chain alone cannot).
   */
  anchor?: { seq: number; hash: string };
}

/**
 * Walks a workspace's audit chain in `seq` order and checks every link: seqs run 1, 2, 3
 * without gaps, each `prevHash` is the hash before it, each `hash` recomputes from the
 * event, and the chain ends exactly at the workspace's head. So an edited event (any
 * field), a deleted event (middle or tail) and a reordered pair are all detected.
 *
 * @example
 * const verdict = await verifyAuditChain(store, 'ws_...');
 * if (!verdict.ok) console.error(`audit chain broken at ${verdict.brokenAt}: ${verdict.reason}`);
 */
export async function verifyAuditChain(
  store: { audit: Pick<AuditStore, 'chain' | 'head'> },
  workspaceId: string,
  options: VerifyAuditChainOptions = {},
): Promise<AuditChainVerdict> {
  const { pageSize = 500, anchor } = options;
  const head = await store.audit.head(workspaceId);
  let seq = 0;
  let prevHash = GENESIS_HASH;
  let lastId: string | null = null;
  let anchored = anchor === undefined;
  for (;;) {
    const page = await store.audit.chain(workspaceId, seq, pageSize);
    for (const event of page) {
      const broken = (reason: string) => ({ ok: false as const, brokenAt: event.id, reason });
      if (event.seq === 0) return broken('this event is not linked into the chain (no seq)');
      if (event.seq !== seq + 1) {
        return broken(`seq ${seq + 1} expected, ${event.seq} found: events are missing before this one`);
      }
      if (event.prevHash !== prevHash)
        return broken('prevHash does not match the previous event: reordered or replaced');
      if (chainHash(prevHash, event, event.seq) !== event.hash)
        return broken('hash does not match the content: edited');
      if (anchor !== undefined && anchor.seq === event.seq) {
        if (anchor.hash !== event.hash)
          return broken('hash differs from the anchor: the chain was rewritten');
        anchored = true;
      }
      seq = event.seq;
      prevHash = event.hash;
      lastId = event.id;
    }
    if (page.length < pageSize) break;
  }
  if (head === null) {
    return seq === 0
      ? anchored
        ? { ok: true, count: 0, head: null }
        : { ok: false, brokenAt: null, reason: `the anchor's seq ${anchor?.seq} is beyond the chain` }
      : { ok: false, brokenAt: null, reason: 'the chain head is missing' };
  }
  if (head.seq !== seq || head.hash !== prevHash) {
    return {
      ok: false,
      brokenAt: lastId,
      reason:
        head.seq > seq
          ? `the head is at seq ${head.seq}, the events end at ${seq}: events are missing at the end`
          : 'the head does not match the last event',
    };
  }
  if (!anchored)
    return { ok: false, brokenAt: lastId, reason: `the anchor's seq ${anchor?.seq} is beyond the chain` };
  return { ok: true, count: seq, head: { seq, hash: prevHash } };
}
