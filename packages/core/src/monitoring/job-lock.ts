import { createHash } from 'node:crypto';
import type pg from 'pg';
import { createSqlRunner, type SqlSource } from '../sql-runner/sql-runner.js';
import type { MonitoringDatabase } from './monitoring-schema.js';

/**
 * Runs a periodic job on one node at a time, and not more often than its interval across
 * all nodes. PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) held on one
 * pooled connection while the job runs; the node that gets it checks `job_runs` and
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

export function createJobLock(source: SqlSource): JobLock {
  const runner = createSqlRunner<MonitoringDatabase>(source);
  const { db, run } = runner;
  const running = new Set<string>();

  const due = async (name: string, intervalMs: number, now: number): Promise<boolean> => {
    const { rows } = await run(db.selectFrom('job_runs').select('last_run_at').where('name', '=', name));
    const last = rows[0] === undefined ? null : Number(rows[0].last_run_at);
    return last === null || now - last >= intervalMs * DUE_FRACTION || now < last;
  };
  const stamp = (name: string, now: number) =>
    run(
      db
        .insertInto('job_runs')
        .values({ name, last_run_at: now })
        .onConflict((oc) => oc.column('name').doUpdateSet({ last_run_at: now })),
    );

  const exclusive = async (name: string, intervalMs: number, now: number, job: () => Promise<void>) => {
    if (!(await due(name, intervalMs, now))) return false;
    await stamp(name, now);
    await job();
    return true;
  };

  const withAdvisoryLock = async (
    pool: pg.Pool,
    name: string,
    body: () => Promise<boolean>,
  ): Promise<boolean> => {
    const client = await pool.connect();
    const id = lockId(name);
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        'select pg_try_advisory_lock($1::bigint) as locked',
        [id],
      );
      if (rows[0]?.locked !== true) return false;
      try {
        return await body();
      } finally {
        await client.query('select pg_advisory_unlock($1::bigint)', [id]);
      }
    } finally {
      client.release();
    }
  };

  return {
    async runExclusive(name, intervalMs, now, job) {
      if (running.has(name)) return false;
      running.add(name);
      try {
        const body = () => exclusive(name, intervalMs, now, job);
        return 'pool' in source ? await withAdvisoryLock(source.pool, name, body) : await body();
      } finally {
        running.delete(name);
      }
    },
  };
}
