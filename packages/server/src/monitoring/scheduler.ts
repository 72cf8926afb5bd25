import type { JobLock } from '@keyward/core/monitoring';
import type { Monitor } from './monitor.js';

export interface MonitorSchedulerOptions {
  monitor: Pick<Monitor, 'runTraffic' | 'runKeyStates'>;
  /** Keeps each pass to one node per interval (see `createJobLock`). */
  jobs: JobLock;
  /** Traffic detectors every this many ms. Default 60_000; 0 turns them off. */
  trafficIntervalMs?: number;
  /** Key-state detectors (credits, expiry, unused: they read every key) every this many ms. Default 300_000; 0 turns them off. */
  keyStateIntervalMs?: number;
  /** The key lifetime job (`lifetime/lifetime-job.ts`); default none. */
  lifetime?: { run(): Promise<unknown> };
  /** Lifetime job every this many ms. Default 300_000; 0 turns it off. */
  lifetimeIntervalMs?: number;
  /** Told about a pass that failed as a whole (the next interval tries again). Default: ignore. */
  onError?: (error: unknown) => void;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

export interface MonitorScheduler {
  start(): void;
  /** Stops the timers and waits for a pass in flight. */
  stop(): Promise<void>;
}

/**
 * Runs the detectors periodically under `keyward serve`. On several nodes each pass runs
 * on one of them per interval: a PostgreSQL advisory lock plus the last run's time in
 * `job_runs` (SQLite is one process). The first passes start one interval after `start`.
 */
export function createMonitorScheduler(options: MonitorSchedulerOptions): MonitorScheduler {
  const {
    monitor,
    jobs,
    trafficIntervalMs = 60_000,
    keyStateIntervalMs = 300_000,
    lifetime,
    lifetimeIntervalMs = 300_000,
    onError = () => {},
    now = Date.now,
  } = options;
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  let stopped = true;

  const every = (name: string, intervalMs: number, pass: () => Promise<unknown>) => {
    if (intervalMs <= 0) return;
    const tick = () => {
      if (stopped) return;
      const run = jobs
        .runExclusive(name, intervalMs, now(), async () => {
          await pass();
        })
        .catch(onError)
        .finally(() => {
          inFlight.delete(run);
          schedule();
        });
      inFlight.add(run);
    };
    const schedule = () => {
      if (stopped) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        tick();
      }, intervalMs);
      timer.unref();
      timers.add(timer);
    };
    schedule();
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      every('monitor.traffic', trafficIntervalMs, () => monitor.runTraffic());
      every('monitor.key_state', keyStateIntervalMs, () => monitor.runKeyStates());
      if (lifetime !== undefined) every('keys.lifetime', lifetimeIntervalMs, () => lifetime.run());
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(inFlight);
    },
  };
}
