// Challenge: an in-memory job queue and a worker whose numbers always add up.
//
// Every job is in exactly one state at a time. Stats are a view of those
// states, so at every moment (between calls, and while a handler is running)
//   waiting + active + completed + failed === enqueued
// however many times jobs fail and are retried.

export type JobState = "waiting" | "active" | "completed" | "failed";

/** A snapshot of one job, as returned by getJob. */
export interface JobView {
  id: string;
  type: string;
  data: unknown;
  state: JobState;
  /** How many times a worker has taken this job so far (0 while it has never run). */
  attempts: number;
  /** Total runs allowed, the first one included. */
  maxAttempts: number;
  /** The handler's return value, once completed. */
  result?: unknown;
  /** The message of the last failed attempt (kept while the job waits for a retry). */
  error?: string;
}

export interface QueueStats {
  /** Jobs ever added with add(). A retry is not a new job. */
  enqueued: number;
  waiting: number;
  active: number;
  completed: number;
  failed: number;
}

export interface AddOptions {
  /**
   * Total runs allowed, the first included: 3 means one run and up to two
   * retries (BullMQ's `attempts`, not Sidekiq's `retry`). A whole number >= 1,
   * however large; default 1 (no retries).
   */
  maxAttempts?: number;
}

/**
 * A FIFO job queue kept in memory.
 *
 * You will need a few more methods for the Worker to take jobs and report
 * outcomes (for example claim / complete / fail): their design is yours.
 */
export class JobQueue {
  /**
   * - [C1] Adds a job in state "waiting", with attempts 0, at the back of the
   *   line, and returns its new id: never one returned before.
   * - [C2] maxAttempts defaults to 1 only when it is omitted (undefined). Any
   *   whole number >= 1 is fine, however large (2^31, Number.MAX_SAFE_INTEGER,
   *   2^53 and beyond: Number.isInteger decides).
   *   Anything else (0, negatives, 1.5, NaN, Infinity) throws a RangeError,
   *   and then nothing is added: no job, no change to stats().
   */
  add(type: string, data: unknown, options?: AddOptions): string {
    throw new Error("TODO: store the job as waiting, at the back of the line");
  }

  /**
   * - [C3] A copy of the job's current view: changing the returned object
   *   changes nothing in the queue. undefined for an id add() never returned
   *   (also "", "0", "toString", "constructor", "__proto__").
   */
  getJob(id: string): JobView | undefined {
    throw new Error("TODO");
  }

  /**
   * - [C4] A fresh snapshot of the current counts: editing it, or keeping it
   *   while jobs move on, changes nothing on either side.
   * - [C5] At every moment (between calls, and inside a running handler)
   *   waiting + active + completed + failed === enqueued, where enqueued counts
   *   the jobs add() accepted (a retry is not a new job), and each count is the
   *   number of jobs whose getJob().state is that state.
   */
  stats(): QueueStats {
    throw new Error("TODO");
  }
}

export interface JobContext {
  id: string;
  type: string;
  /** 1 on the first run, 2 on the first retry, ... */
  attempt: number;
}

/** Does the work for one job type. Returns (or resolves to) the result; throws (or rejects) on failure. */
export type Handler = (data: unknown, job: JobContext) => unknown;

/** Runs jobs from a queue, choosing the handler by job type. */
export class Worker {
  /**
   * - [C6] `handlers` maps a job type to its handler; only its own properties
   *   count: a type such as "toString" or "constructor" has a handler only if
   *   `handlers` has an own property of that name, and a map made with
   *   Object.create(null) works too.
   */
  constructor(queue: JobQueue, handlers: Record<string, Handler>) {
    throw new Error("TODO: keep the queue and the handlers");
  }

  /**
   * Takes the oldest waiting job, if any, and runs it.
   * - [C7] Resolves to false if no job was waiting, true once the taken job's
   *   attempt is over. Jobs are taken oldest first.
   * - [C8] The job turns "active" and its attempts go up by one before its
   *   handler is called as handler(data, { id, type, attempt }): the handler
   *   sees its job active, with job.attempt === getJob(id).attempts (1 on the
   *   first run). Every call gets its own context object, which nothing
   *   changes afterwards (other jobs may start while a handler awaits).
   * - [C9] The handler returns or resolves (with any value, undefined, 0 and
   *   null included): the job is "completed" with that value as its result.
   * - [C10] The handler throws (also before its first await) or rejects, with
   *   anything: the job's error becomes the message (error.message for an
   *   Error, even an empty one; String(value) for anything else: "null",
   *   "42"). If
   *   attempts < maxAttempts the job goes back to "waiting" at the BACK of
   *   the line, keeping that error; otherwise it is "failed".
   * - [C11] No own handler for the job's type (own properties only, as
   *   above): the job is "failed" at once, whatever attempts it has left (no
   *   code can run it, retrying will not help), with an error naming the type.
   * - [C12] It never rejects because of a job: a bad job fails, the worker
   *   carries on. It may be called again before a previous call has settled;
   *   each call takes a different job.
   */
  processNext(): Promise<boolean> {
    throw new Error("TODO: claim, look up the handler, run it, record the outcome");
  }

  /**
   * - [C13] Calls processNext until no job is waiting (retries and jobs added
   *   meanwhile included); resolves with the number of attempts it ran.
   */
  drain(): Promise<number> {
    throw new Error("TODO");
  }
}
