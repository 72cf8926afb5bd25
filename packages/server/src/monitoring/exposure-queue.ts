import type { ClientExposure } from '@keyward/core';

export interface ExposureQueueOptions {
  /** Acts on one sighting (raises the alert, applies the policy); rejections go to `onError`. */
  report: (sighting: ClientExposure) => Promise<unknown>;
  /** A key seen again within this many ms of its last reported sighting is not reported again by this node. Default 60_000. */
  dedupMs?: number;
  /** Sightings waiting at most; more are dropped (the next one after the window reports the key). Default 1_000. */
  maxPending?: number;
  /** Keys remembered for `dedupMs` at most; past it the memory starts over. Default 10_000. */
  maxKeys?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Told when a report fails. Default: ignore. */
  onError?: (error: unknown) => void;
}

export interface ExposureQueue {
  /** Takes a sighting from the verification path: returns at once, never throws, does no I/O. */
  push(sighting: ClientExposure): void;
  /** Resolves when every sighting taken so far was reported (tests, shutdown). */
  drain(): Promise<void>;
}

/**
 * Carries `onClientExposure` sightings off the hot path: the engine calls `push` inside a
 * verification, the reports run one after another in the background. A browser that calls
 * the API 100 times a second with a secret key costs one report a minute per node (the alert
 * store deduplicates across nodes: one active alert per key, `occurrences` counts reports).
 */
export function createExposureQueue(options: ExposureQueueOptions): ExposureQueue {
  const {
    report,
    dedupMs = 60_000,
    maxPending = 1_000,
    maxKeys = 10_000,
    now = Date.now,
    onError = () => {},
  } = options;
  const lastReported = new Map<string, number>();
  let pending = 0;
  let tail: Promise<void> = Promise.resolve();

  return {
    push(sighting) {
      const last = lastReported.get(sighting.keyId);
      const at = now();
      if (last !== undefined && at - last < dedupMs) return;
      if (pending >= maxPending) return;
      if (lastReported.size >= maxKeys) lastReported.clear();
      lastReported.set(sighting.keyId, at);
      pending++;
      tail = tail
        .then(() => report(sighting))
        .then(
          () => {},
          (error: unknown) => onError(error),
        )
        .finally(() => {
          pending--;
        });
    },
    drain: () => tail,
  };
}
