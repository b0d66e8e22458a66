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
   * retries (BullMQ's `attempts`, not Sidekiq's `retry`). A whole number >= 1;
   * default 1 (no retries).
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
   * Adds a job in state "waiting" at the back of the line and returns its new,
   * unique id. Throws a RangeError (and adds nothing) if maxAttempts is not a
   * whole number >= 1.
   */
  add(type: string, data: unknown, options?: AddOptions): string {
    throw new Error("TODO: store the job as waiting, at the back of the line");
  }

  /** A copy of the job's current view, or undefined for an unknown id. */
  getJob(id: string): JobView | undefined {
    throw new Error("TODO");
  }

  /** Current counts. waiting + active + completed + failed === enqueued, always. */
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
  /** `handlers` maps a job type to its handler; only its own properties count. */
  constructor(queue: JobQueue, handlers: Record<string, Handler>) {
    throw new Error("TODO: keep the queue and the handlers");
  }

  /**
   * Takes the oldest waiting job, if any, and runs it. Resolves to false if no
   * job was waiting, true once the taken job's attempt is over:
   * - the job turns "active" and its attempts go up by one before its handler
   *   is called (the handler sees it active, with job.attempt === attempts);
   * - the handler returns or resolves: the job is "completed" with that result;
   * - the handler throws or rejects (with anything, Error or not): the error
   *   message is recorded; if attempts < maxAttempts the job goes back to
   *   "waiting" at the BACK of the line, otherwise it is "failed";
   * - no own handler for the job's type (including types such as "toString"):
   *   the job is "failed" at once, whatever attempts it has left (no code can
   *   run it, retrying will not help), with an error naming the type.
   * It never rejects because of a job: a bad job fails, the worker carries on.
   * It may be called again before a previous call has settled; each call takes
   * a different job.
   */
  processNext(): Promise<boolean> {
    throw new Error("TODO: claim, look up the handler, run it, record the outcome");
  }

  /** Calls processNext until no job is waiting; resolves with the number of attempts run. */
  drain(): Promise<number> {
    throw new Error("TODO");
  }
}
