import { randomUUID } from 'node:crypto';
import { KeywardError } from '../contracts/errors.js';
import type { UsageEvent, UsageSink } from '../contracts/usage-sink.js';
import { createRingBuffer } from './ring-buffer.js';
import type { UsageBatch, UsageEventStore, UsageWriter } from './usage-store.js';

/**
 * What happens to an event recorded while the buffer is full. `drop-newest` (default)
 * refuses it; `drop-oldest` evicts the oldest buffered event that is not being written.
 */
export type UsageOverflowPolicy = 'drop-newest' | 'drop-oldest';

export interface UsageRecorderOptions {
  /** Where batches are written (a `UsageEventStore`); `prune`, when present, runs every `pruneIntervalMs`. */
  sink: UsageWriter & Partial<Pick<UsageEventStore, 'prune'>>;
  /** Most events held in memory, including the batch being written. Default 100_000. */
  maxBuffer?: number;
  /** Most events per write (one transaction). Default 1000; a full batch is written at once. */
  batchSize?: number;
  /** Buffered events are written at least this often, in ms. Default 1000. */
  flushIntervalMs?: number;
  /**
   * Default `drop-newest`, as OpenTelemetry's batch processor and Vector do: the events
   * already buffered (and the batch being retried) stay intact, so an outage leaves one
   * gap at its end instead of thinning minutes whose rollups were partly written.
   */
  overflow?: UsageOverflowPolicy;
  /** Backoff after a failed write: `initialMs` doubling up to `maxMs`, with jitter. Default 100 / 30_000. */
  retry?: { initialMs?: number; maxMs?: number };
  /** How long `close()` keeps retrying failed writes before giving up, in ms. Default 5000. */
  closeTimeoutMs?: number;
  /** How often `sink.prune` runs, in ms; 0 disables it. Default 600_000 (10 minutes). */
  pruneIntervalMs?: number;
  /** Told about every failed write or prune (log it, count it); the events are kept and retried. Default: ignore. */
  onError?: (error: unknown) => void;
  /** Told about every batch once it is durable (detectors, webhooks). Must not throw; errors go to `onError`. */
  onWritten?: (events: readonly UsageEvent[]) => void;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

/** A `UsageSink` that buffers and writes in batches. */
export interface UsageRecorder extends UsageSink {
  /** Writes everything buffered at the call, now (ignoring any backoff); rejects if a write fails (the events stay buffered). */
  flush(): Promise<void>;
  /** Stops accepting events, then writes everything, retrying until `closeTimeoutMs`. Rejects if events had to be dropped. */
  close(): Promise<void>;
  /** Events held in memory (buffered or being written). */
  depth(): number;
  /** Events dropped since start (buffer full, recorded after close, or lost at close). */
  dropped(): number;
  /** Events written since start. */
  written(): number;
}

const positive = (value: number, field: string, min = 1): number => {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new KeywardError('VALIDATION', `${field} must be an integer of at least ${min}`, { field });
  }
  return value;
};

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The usage pipeline between the engine and the store. `record` is O(1), does no I/O and
 * never throws: it appends to a bounded in-memory buffer. A background loop writes
 * batches of up to `batchSize` events as soon as a batch is full and at least every
 * `flushIntervalMs`, one write at a time. A failed write keeps its batch (same id: a
 * store applies a batch once) and is retried with exponential backoff while new events
 * queue up to `maxBuffer`; beyond it the overflow policy drops events and counts them.
 *
 * What a crash (SIGKILL, power loss) can lose: the events still in memory, i.e. those
 * recorded since the last write that completed, normally at most one `flushIntervalMs`
 * of traffic (or one `batchSize`, whichever comes first), plus whatever queued behind a
 * failing store, up to `maxBuffer`. A written batch is durable. `close()` (on SIGTERM)
 * loses nothing unless the store stays down past `closeTimeoutMs`.
 *
 * @example
 * const usage = createUsageRecorder({ sink: createSqliteUsageStore({ database }) });
 * const engine = createEngine({ store, usage });
 * process.once('SIGTERM', () => void usage.close());
 */
export function createUsageRecorder(options: UsageRecorderOptions): UsageRecorder {
  const {
    sink,
    overflow = 'drop-newest',
    onError = () => {},
    onWritten = () => {},
    now = Date.now,
  } = options;
  const maxBuffer = positive(options.maxBuffer ?? 100_000, 'maxBuffer');
  const batchSize = positive(options.batchSize ?? 1000, 'batchSize');
  const flushIntervalMs = positive(options.flushIntervalMs ?? 1000, 'flushIntervalMs');
  const closeTimeoutMs = positive(options.closeTimeoutMs ?? 5000, 'closeTimeoutMs', 0);
  const pruneIntervalMs = positive(options.pruneIntervalMs ?? 600_000, 'pruneIntervalMs', 0);
  const initialBackoff = positive(options.retry?.initialMs ?? 100, 'retry.initialMs');
  const maxBackoff = positive(options.retry?.maxMs ?? 30_000, 'retry.maxMs');
  if (overflow !== 'drop-newest' && overflow !== 'drop-oldest') {
    throw new KeywardError('VALIDATION', 'overflow must be drop-newest or drop-oldest', {
      field: 'overflow',
    });
  }

  const queue = createRingBuffer<UsageEvent>(maxBuffer);
  let inflight: UsageBatch | null = null;
  let droppedCount = 0;
  let writtenCount = 0;
  let failures = 0;
  let retryAt = 0;
  let closed = false;
  let closing: Promise<void> | null = null;
  let pumping = false;
  let kicked = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let pruning = false;
  // Writes run one at a time, in order: the background loop, flush() and close() queue here.
  let lock: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const next = lock.then(run);
    lock = next.catch(() => {});
    return next;
  };

  const report = (error: unknown) => {
    try {
      onError(error);
    } catch {
      // A failing error handler must not stop the pipeline.
    }
  };
  const depth = () => queue.length + (inflight === null ? 0 : inflight.events.length);
  const backoff = () => {
    const base = Math.min(maxBackoff, initialBackoff * 2 ** Math.min(failures - 1, 30));
    return Math.round(base * (0.5 + Math.random() / 2));
  };

  /** Writes one batch (the one being retried, if any). Failures update the backoff and rethrow. */
  const writeOne = async (): Promise<void> => {
    inflight ??= { id: randomUUID(), events: queue.take(batchSize) };
    const batch = inflight;
    try {
      await sink.write(batch);
    } catch (error) {
      failures++;
      retryAt = now() + backoff();
      report(error);
      throw error;
    }
    inflight = null;
    failures = 0;
    retryAt = 0;
    writtenCount += batch.events.length;
    try {
      onWritten(batch.events);
    } catch (error) {
      report(error);
    }
  };

  const scheduleRetry = () => {
    if (retryTimer !== null || closed) return;
    retryTimer = setTimeout(
      () => {
        retryTimer = null;
        pump();
      },
      Math.max(0, retryAt - now()),
    );
    retryTimer.unref();
  };

  /** The background loop: drains the buffer unless backing off, closed, or already running. */
  const pump = (): void => {
    kicked = false;
    if (pumping || closed || depth() === 0) return;
    if (now() < retryAt) {
      scheduleRetry();
      return;
    }
    pumping = true;
    exclusive(async () => {
      while (!closed && depth() > 0) await writeOne();
    })
      .catch(() => scheduleRetry())
      .finally(() => {
        pumping = false;
      });
  };

  const interval = setInterval(pump, flushIntervalMs);
  interval.unref();
  const prune =
    pruneIntervalMs === 0 || sink.prune === undefined
      ? null
      : setInterval(() => {
          if (pruning || sink.prune === undefined) return;
          pruning = true;
          sink
            .prune(now())
            .catch(report)
            .finally(() => {
              pruning = false;
            });
        }, pruneIntervalMs);
  prune?.unref();

  return {
    record(event) {
      if (closed) {
        droppedCount++;
        return;
      }
      if (depth() >= maxBuffer) {
        if (overflow === 'drop-newest' || queue.length === 0) {
          droppedCount++;
          return;
        }
        queue.shift();
        droppedCount++;
      }
      queue.push(event);
      if (queue.length >= batchSize && !kicked && !pumping) {
        kicked = true;
        setImmediate(pump);
      }
    },

    async flush() {
      let remaining = depth();
      while (remaining > 0 && depth() > 0) {
        const size = inflight === null ? Math.min(batchSize, queue.length) : inflight.events.length;
        await exclusive(writeOne);
        remaining -= size;
      }
    },

    close() {
      closing ??= (async () => {
        closed = true;
        clearInterval(interval);
        if (prune !== null) clearInterval(prune);
        if (retryTimer !== null) clearTimeout(retryTimer);
        const deadline = now() + closeTimeoutMs;
        while (depth() > 0) {
          try {
            await exclusive(writeOne);
          } catch (error) {
            const left = deadline - now();
            if (left <= 0) {
              const lost = depth();
              droppedCount += lost;
              queue.take(lost);
              inflight = null;
              throw new KeywardError(
                'UNAVAILABLE',
                `${lost} usage events could not be written before close`,
                {
                  cause: error,
                },
              );
            }
            await wait(Math.min(left, backoff()));
          }
        }
        await lock;
      })();
      return closing;
    },

    depth,
    dropped: () => droppedCount,
    written: () => writtenCount,
  };
}
