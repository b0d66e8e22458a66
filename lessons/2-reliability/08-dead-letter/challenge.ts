// Challenge: named queues whose jobs move to a dead-letter queue (DLQ) after
// their last failed try, an admin listing of the DLQ, and an admin retry that
// puts a job back exactly once, even when two operators click at the same time.
import type { Clock } from "#kit/clock.ts";

/**
 * One failed try, as recorded when fail() is called.
 *
 * - [C1] `attempt` is the number of the try that failed, counted in the job's
 *   current life (1 for the first try after add() or after an admin retry);
 *   `message` is `error.message` for an Error and `String(error)` for anything
 *   else (a string, undefined, 0 ...); `at` is clock.now() when fail() was called.
 */
export interface ErrorRecord {
  attempt: number;
  message: string;
  at: number;
}

export type JobState = "waiting" | "active" | "completed" | "dead";

export interface Job {
  id: string;
  /** The queue the job was added to; it never changes. */
  queue: string;
  data: unknown;
  state: JobState;
  /** Tries started so far in the current life: take() adds 1. A retry from the DLQ resets it to 0. */
  attempts: number;
  /** Total tries allowed, including the first (default 3). */
  maxAttempts: number;
  /** Every failed try, oldest first. */
  errors: ErrorRecord[];
}

/**
 * What the admin sees for a dead job.
 *
 * - [C2] A dead letter carries everything an admin needs: the job's `id`, its
 *   source `queue` (where retry() puts it back), its `data` exactly as added,
 *   `attempts` = the tries used in its last life (the job's maxAttempts, also
 *   after earlier admin retries), `reason` = the message of the LAST error,
 *   `failedAt` = clock.now() when it was dead-lettered, and `errors` = the error
 *   history, oldest first.
 */
export interface DeadLetter {
  id: string;
  queue: string;
  data: unknown;
  attempts: number;
  reason: string;
  failedAt: number;
  /**
   * At least one record per failed try of its last life (maxAttempts records
   * for a first death). Whether records from lives before an earlier retry are
   * kept is up to you.
   */
  errors: ErrorRecord[];
}

export interface DeadLetterQuery {
  /** Only dead letters from this source queue (any string, "" included). */
  queue?: string;
  /** Skip this many (after filtering). Default 0. */
  offset?: number;
  /** Return at most this many (0 returns none). Default 50. */
  limit?: number;
}

export interface DeadLetterPage {
  /** How many dead letters match the filter, ignoring offset and limit. */
  total: number;
  /** The requested page, oldest dead letter first. */
  items: DeadLetter[];
}

export interface AuditEvent {
  action: "retry";
  id: string;
  queue: string;
  at: number;
}

export interface QueuesOptions {
  clock: Clock;
  /**
   * Compliance log, written before an admin action takes effect. retry()
   * awaits it; it may be slow and it may reject.
   */
  audit?: (event: AuditEvent) => Promise<void>;
}

/**
 * In-memory queues with a shared DLQ. Treat every object a method returns as
 * read-only.
 *
 * - [C3] Queue names are any strings: "", "constructor", "__proto__" and
 *   "toString" are ordinary names, and so are ids like those passed to get()
 *   or retry(). Job data is any value (0, "", null, undefined included).
 */
export class Queues {
  constructor(options: QueuesOptions) {
    throw new Error("TODO: keep the clock, the audit function and empty queues");
  }

  /**
   * [C4] Adds a job to the tail of `queue` in state "waiting" with attempts 0,
   * an id no other job has, and maxAttempts from the options (default 3).
   */
  add(queue: string, data: unknown, options?: { maxAttempts?: number }): Job {
    throw new Error("TODO: create the job");
  }

  /**
   * [C5] Takes the oldest waiting job of `queue` (FIFO by when it entered or
   * re-entered the waiting state), makes it "active" and adds 1 to its
   * attempts. Returns null if none waits, also for a queue never used.
   */
  take(queue: string): Job | null {
    throw new Error("TODO: FIFO take");
  }

  /**
   * [C6] Marks an active job "completed". Throws if the job is not active
   * (waiting, completed, dead or unknown) and then changes nothing.
   */
  complete(id: string): void {
    throw new Error("TODO: complete");
  }

  /**
   * Records the failed try of an active job.
   *
   * - [C7] Throws if the job is not active (waiting, completed, dead or
   *   unknown), and then changes nothing: no error recorded, nothing enqueued.
   * - [C8] Otherwise appends an ErrorRecord to the job's errors. If tries are
   *   left (attempts < maxAttempts) the job goes back to the TAIL of its queue,
   *   behind every job already waiting there, and "retry" is returned; so a
   *   job is tried exactly maxAttempts times.
   * - [C9] After the last try the job becomes "dead", leaves its queue, a
   *   DeadLetter is added to the DLQ and "dead" is returned.
   */
  fail(id: string, error: unknown): "retry" | "dead" {
    throw new Error("TODO: retry or dead-letter");
  }

  /** [C10] The job with this id, whatever its state; undefined if unknown. */
  get(id: string): Job | undefined {
    throw new Error("TODO: look up a job");
  }

  /** [C11] The waiting jobs of `queue`, in the order take() would return them; [] for an empty or unknown queue. */
  waiting(queue: string): Job[] {
    throw new Error("TODO: list waiting jobs");
  }

  /**
   * The admin list.
   *
   * - [C12] Dead letters in the order they died, oldest first (a job that died
   *   again after an admin retry counts from its latest death); only those from
   *   `query.queue` when it is given; `total` counts every match; then `offset`
   *   (default 0) are skipped and at most `limit` (default 50; 0 means none)
   *   are returned.
   */
  deadLetters(query?: DeadLetterQuery): DeadLetterPage {
    throw new Error("TODO: filter, count, then page");
  }

  /**
   * The admin retry.
   *
   * - [C13] If `id` has a DLQ entry, retry writes an audit record by awaiting
   *   audit({ action: "retry", id, queue, at: clock.now() }) when an audit
   *   function was given; the job must not be back in its queue before that
   *   resolves.
   * - [C14] Then the entry is gone from the DLQ, the job's attempts are 0, it is
   *   "waiting" at the tail of its source queue (and gets maxAttempts tries
   *   again), and retry resolves with the job. If it dies again it gets a new
   *   DLQ entry, which can be retried again.
   * - [C15] Exactly once: however many retry() calls for the same entry run,
   *   one after the other or at the same time, one of them resolves with the
   *   job and all others resolve with null; the job is put back once. Retries
   *   of different entries do not block each other.
   * - [C16] An id with no DLQ entry (unknown, never dead, already retried)
   *   resolves with null and changes nothing.
   * - [C17] If audit rejects, retry rejects with that error and nothing
   *   changes: the entry is still listed as before, in its place by the order
   *   of [C12] (the time it died), also when other entries were retried or
   *   added while the audit was pending; the job is still dead with its
   *   attempts, and no job was put back.
   */
  retry(id: string): Promise<Job | null> {
    throw new Error("TODO: claim the entry before awaiting anything");
  }
}
