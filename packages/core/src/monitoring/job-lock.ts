import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { type SqlHandle, tablesOf } from '../sql/sql-handle.js';
import type { MonitoringDatabase } from './monitoring-schema.js';

/**
 * Runs a periodic job on one node at a time, and not more often than its interval across
 * all nodes. PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) held on one
 * connection of the handle's pool while the job runs; the node that gets it checks `job_runs` and
 * skips when another node ran the job less than 80% of an interval ago (so nodes ticking
 * at different phases do not each run it). SQLite: one process; the same `job_runs`
 * check, and an in-process guard against overlapping runs.
 */
export interface JobLock {
  /** Runs `job` unless it is running elsewhere or ran recently; resolves true when it ran. A failing job rejects (and counts as run). */
  runExclusive(name: string, intervalMs: number, now: number, job: () => Promise<void>): Promise<boolean>;
}

/** Fraction of the interval after which another run is due (timer jitter must not skip a whole period). */
const DUE_FRACTION = 0.8;

/** The 64-bit advisory lock id of a job: stable across nodes and versions. */
const lockId = (name: string): string =>
  createHash('sha256').update(`keyward:job:${name}`).digest().readBigInt64BE(0).toString();

export function createJobLock(handle: SqlHandle): JobLock {
  const db = tablesOf<MonitoringDatabase>(handle);
  const running = new Set<string>();

  const due = async (name: string, intervalMs: number, now: number): Promise<boolean> => {
    const rows = await db.selectFrom('job_runs').select('last_run_at').where('name', '=', name).execute();
    const last = rows[0] === undefined ? null : Number(rows[0].last_run_at);
    return last === null || now - last >= intervalMs * DUE_FRACTION || now < last;
  };
  const stamp = (name: string, now: number) =>
    db
      .insertInto('job_runs')
      .values({ name, last_run_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ last_run_at: now }))
      .execute();

  const exclusive = async (name: string, intervalMs: number, now: number, job: () => Promise<void>) => {
    if (!(await due(name, intervalMs, now))) return false;
    await stamp(name, now);
    await job();
    return true;
  };

  /** PostgreSQL: `body` runs while one connection holds the job's session advisory lock. */
  const withAdvisoryLock = (name: string, body: () => Promise<boolean>): Promise<boolean> =>
    db.connection().execute(async (connection) => {
      const id = lockId(name);
      const { rows } = await sql<{
        locked: boolean;
      }>`select pg_try_advisory_lock(${id}::bigint) as locked`.execute(connection);
      if (rows[0]?.locked !== true) return false;
      try {
        return await body();
      } finally {
        await sql`select pg_advisory_unlock(${id}::bigint)`.execute(connection);
      }
    });

  return {
    async runExclusive(name, intervalMs, now, job) {
      if (running.has(name)) return false;
      running.add(name);
      try {
        const body = () => exclusive(name, intervalMs, now, job);
        // SQLite: one process, and its one connection must stay free for the job itself.
        return handle.dialect === 'postgres' ? await withAdvisoryLock(name, body) : await body();
      } finally {
        running.delete(name);
      }
    },
  };
}
