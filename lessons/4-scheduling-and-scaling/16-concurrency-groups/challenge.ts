// Challenge: a limiter that runs async tasks with at most `maxActive` running in
// total and at most `maxPerGroup` running in any one group (a tenant, an account,
// an API key), releases each slot exactly once however the task ends, and never
// lets a full group hold back the tasks of other groups.

export interface GroupLimiterOptions {
  /** Most tasks running at once across all groups (see C10). */
  maxActive: number;
  /** Most tasks running at once within one group (see C10). */
  maxPerGroup: number;
}

export interface LimiterStats {
  /** Tasks holding a slot now: started by the limiter (see C2), not yet settled. */
  active: number;
  /** Tasks submitted through run() and not started yet. */
  waiting: number;
  /** Running tasks per group; groups with none running are left out. */
  activeByGroup: Record<string, number>;
}

export interface GroupLimiter {
  /**
   * Runs `task` once its group and the limiter both have a free slot.
   *
   * - [C1] run() settles like the task: it fulfils with the very value the task
   *   fulfilled with (0, "", null, undefined and false included), or rejects with the
   *   very value the task rejected with or threw, synchronously or not (an Error or
   *   anything else: never wrapped, never replaced).
   * - [C2] A task is active (holds its slot: counted in `active`, no longer `waiting`)
   *   from the moment the limiter starts it until its promise settles (or it throws); the
   *   limiter calls `task()` when it starts it or a microtask later (see C6). Never more
   *   than maxActive tasks are active in total, nor more than maxPerGroup in one group.
   * - [C3] A task's slot is released exactly once, whether it fulfilled, rejected or
   *   threw, and waiting tasks then get their chance.
   * - [C4] Within a group, tasks start in the order run() was called.
   * - [C5] No head-of-line blocking: a waiting task whose group is full never holds back
   *   a waiting task of another group. When a slot frees, start the OLDEST waiting task
   *   (across all groups) whose group is below maxPerGroup; repeat while any can start.
   * - [C6] Never idle by mistake: once pending promise callbacks have run, no waiting
   *   task could start (its group is full, or maxActive tasks are running). run() may
   *   call task() at once or a microtask later (a resolved promise, queueMicrotask,
   *   process.nextTick), never after a timer.
   * - [C7] A group is any string: "" is a group of its own, and "constructor",
   *   "__proto__", "toString" or "hasOwnProperty" are groups like any other.
   *
   * Left free: the order in which different run() calls settle (a task's slot may be
   * released before or after its run() promise settles).
   */
  run<T>(group: string, task: () => Promise<T>): Promise<T>;
  /**
   * - [C8] The counts are exact at every moment (see LimiterStats), and back to
   *   { active: 0, waiting: 0, activeByGroup: {} } once every task has settled.
   * - [C9] A snapshot: every call returns new objects. Editing the result, or keeping
   *   it while the limiter moves on, changes nothing inside the limiter, and the limiter
   *   never changes a result it returned.
   */
  stats(): LimiterStats;
}

/**
 * [C10] Creates a limiter. Both limits must be integers >= 1; any such integer is
 * valid, 2^31 and above included. Anything else (0, a negative, 1.5, NaN, Infinity,
 * a missing limit) makes createGroupLimiter throw a RangeError.
 */
export function createGroupLimiter(options: GroupLimiterOptions): GroupLimiter {
  throw new Error("TODO: keep a waiting list, count active tasks per group and in total, release in finally");
}
