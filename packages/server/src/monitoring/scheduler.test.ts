import type { JobLock } from '@keyward/core/monitoring';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Monitor, MonitorRun } from './monitor.js';
import { createMonitorScheduler } from './scheduler.js';

const EMPTY: MonitorRun = { workspaces: 0, raised: [], resolved: 0, quarantined: [], failed: 0 };

function fakes() {
  const runs = { traffic: 0, keyStates: 0 };
  const monitor: Pick<Monitor, 'runTraffic' | 'runKeyStates'> = {
    runTraffic: async () => {
      runs.traffic++;
      return EMPTY;
    },
    runKeyStates: async () => {
      runs.keyStates++;
      return EMPTY;
    },
  };
  const names: string[] = [];
  const jobs: JobLock = {
    async runExclusive(name, _interval, _now, job) {
      names.push(name);
      await job();
      return true;
    },
  };
  return { runs, monitor, jobs, names };
}

describe('monitor scheduler', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs each pass every interval through the job lock, and not after stop', async () => {
    vi.useFakeTimers();
    const { runs, monitor, jobs, names } = fakes();
    const scheduler = createMonitorScheduler({
      monitor,
      jobs,
      trafficIntervalMs: 60_000,
      keyStateIntervalMs: 300_000,
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(59_999);
    expect(runs).toEqual({ traffic: 0, keyStates: 0 });
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual({ traffic: 1, keyStates: 0 });
    await vi.advanceTimersByTimeAsync(240_000);
    expect(runs).toEqual({ traffic: 5, keyStates: 1 });
    expect(new Set(names)).toEqual(new Set(['monitor.traffic', 'monitor.key_state']));
    await scheduler.stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(runs).toEqual({ traffic: 5, keyStates: 1 });
  });

  it('turns a pass off with interval 0, and reports a failing pass without stopping', async () => {
    vi.useFakeTimers();
    const { runs, monitor, jobs } = fakes();
    const errors: unknown[] = [];
    const failing: Pick<Monitor, 'runTraffic' | 'runKeyStates'> = {
      ...monitor,
      runTraffic: async () => {
        runs.traffic++;
        throw new Error('database down');
      },
    };
    const scheduler = createMonitorScheduler({
      monitor: failing,
      jobs,
      trafficIntervalMs: 1000,
      keyStateIntervalMs: 0,
      onError: (error) => errors.push(error),
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toEqual({ traffic: 3, keyStates: 0 });
    expect(errors).toHaveLength(3);
    await scheduler.stop();
  });

  it('runs the key lifetime job under its own job name, every lifetimeIntervalMs', async () => {
    vi.useFakeTimers();
    const { monitor, jobs, names } = fakes();
    let lifetimeRuns = 0;
    const scheduler = createMonitorScheduler({
      monitor,
      jobs,
      trafficIntervalMs: 0,
      keyStateIntervalMs: 0,
      lifetime: {
        run: async () => {
          lifetimeRuns++;
        },
      },
      lifetimeIntervalMs: 10_000,
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(9_999);
    expect(lifetimeRuns).toBe(0);
    await vi.advanceTimersByTimeAsync(20_001);
    expect(lifetimeRuns).toBe(3);
    expect(new Set(names)).toEqual(new Set(['keys.lifetime']));
    await scheduler.stop();
  });
});
