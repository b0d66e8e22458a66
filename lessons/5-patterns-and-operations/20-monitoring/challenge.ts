// Monitoring: exact percentiles of job durations and the queue numbers worth
// alerting on, computed from a snapshot of job records.

/**
 * The nearest-rank percentile.
 *
 * - [C1] Sort the values ascending and return the value at 1-based rank
 *   `ceil(p * n / 100)`, where n = values.length. The result is always one of the
 *   values (no interpolation between neighbours).
 * - [C2] p is in (0, 100]: p = 100 gives the maximum; a tiny p gives the minimum.
 * - [C3] Values are compared as numbers, negative and fractional ones too (note:
 *   [5, 40, 300].sort() sorts them as strings).
 * - [C4] The rank is exact for every n and p: compute `p * n / 100`, not
 *   `p / 100 * n`: in floating point 7 / 100 * 100 is 7.000000000000001, whose
 *   ceiling is 8.
 * - [C5] The input array is not modified.
 * - [C6] Throws a RangeError if `values` is empty or p is not in (0, 100] (0,
 *   negatives, above 100, NaN).
 */
export function percentile(values: readonly number[], p: number): number {
  throw new Error("TODO: percentile — nearest rank, ceil(p * n / 100), 1-based");
}

export type JobState = "waiting" | "active" | "completed" | "failed";

/** One job as the monitor sees it. Times are milliseconds on the same clock as `now`. */
export interface JobRecord {
  id: string;
  state: JobState;
  /** When the job was added to the queue. */
  enqueuedAt: number;
  /** The earliest time it may run (equal to enqueuedAt unless the job was delayed). */
  runAt: number;
  /** When the current holder's lock expires unless renewed. May be present in any state. */
  lockExpiresAt?: number;
}

export interface QueueStats {
  /** [C7] Queue depth: waiting jobs that are due (runAt <= now, so a job due exactly now counts). Not delayed jobs, not active ones. */
  depth: number;
  /** [C8] Waiting jobs that are not due yet (runAt > now). */
  delayed: number;
  /** [C9] Jobs in state "active", stalled or not. */
  active: number;
  /**
   * [C10] Active jobs whose lock has expired (lockExpiresAt <= now; a lockExpiresAt of 0
   * is a time like any other, a missing one never stalls). Only active jobs can stall.
   */
  stalled: number;
  /**
   * [C11] How long the oldest due waiting job has been ready: max over those jobs of
   * now - max(enqueuedAt, runAt). A delayed job is ready from its runAt, not from when it
   * was enqueued. 0 when no job is due.
   */
  oldestReadyAgeMs: number;
}

/**
 * Computes the stats of a snapshot of jobs at time `now`.
 * - [C12] Completed and failed jobs count nowhere; the jobs array is not modified.
 */
export function queueStats(jobs: readonly JobRecord[], now: number): QueueStats {
  throw new Error("TODO: queueStats — ready vs delayed vs active vs stalled");
}
