// Challenge: a limiter that runs async tasks with at most `maxActive` running in
// total and at most `maxPerGroup` running in any one group (a tenant, an account,
// an API key), releases each slot exactly once however the task ends, and never
// lets a full group hold back the tasks of other groups.

export interface GroupLimiterOptions {
  /** Most tasks running at once across all groups. An integer >= 1. */
  maxActive: number;
  /** Most tasks running at once within one group. An integer >= 1. */
  maxPerGroup: number;
}

export interface LimiterStats {
  /** Tasks running now (started, not yet settled). */
  active: number;
  /** Tasks submitted through run() and not started yet. */
  waiting: number;
  /** Running tasks per group; groups with none running are left out. */
  activeByGroup: Record<string, number>;
}

export interface GroupLimiter {
  /**
   * Runs `task` once its group and the limiter both have a free slot, and settles
   * like the task: fulfils with its value, or rejects with the very error it
   * rejected with or threw (a task may also throw synchronously).
   *
   * - A task is active from the moment `task()` is called until its promise
   *   settles (or it throws); its slot is then released exactly once, whether it
   *   fulfilled, rejected or threw, and waiting tasks get their chance.
   * - Within a group, tasks start in the order run() was called.
   * - No head-of-line blocking: a waiting task whose group is full never holds
   *   back a waiting task of another group. When a slot frees, start the oldest
   *   waiting task whose group is below maxPerGroup; repeat while any can start.
   * - Never idle by mistake: once pending promise callbacks have run, no waiting
   *   task could start (its group is full, or maxActive tasks are running).
   */
  run<T>(group: string, task: () => Promise<T>): Promise<T>;
  /** A snapshot of the counts (see LimiterStats). */
  stats(): LimiterStats;
}

/** Creates a limiter; throws a RangeError if a limit is not an integer >= 1. */
export function createGroupLimiter(options: GroupLimiterOptions): GroupLimiter {
  throw new Error("TODO: keep a waiting list, count active tasks per group and in total, release in finally");
}
