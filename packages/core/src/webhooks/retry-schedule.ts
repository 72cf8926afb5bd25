const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Delays before each retry, after the first attempt fails (Standard Webhooks' suggested
 * schedule, as Svix runs it): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h. Seven attempts over
 * about 17.5 hours; then the message is `failed`.
 */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = Object.freeze([
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
]);

/** When attempt `attempt` (1-based) failed at `now`: the next attempt's time, or null when none is left. */
export function nextAttemptAt(schedule: readonly number[], attempt: number, now: number): number | null {
  const delay = schedule[attempt - 1];
  return delay === undefined ? null : now + delay;
}
