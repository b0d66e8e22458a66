// Challenge: named queues whose jobs move to a dead-letter queue (DLQ) after
// their last failed try, an admin listing of the DLQ, and an admin retry that
// puts a job back exactly once, even when two operators click at the same time.
import type { Clock } from "#kit/clock.ts";

/** One failed try, as recorded when fail() is called. */
export interface ErrorRecord {
  /** Which try failed: 1 for the first try of the job's current life. */
  attempt: number;
  /** The error's message (`error.message` for an Error, `String(error)` otherwise). */
  message: string;
  /** clock.now() when fail() was called. */
  at: number;
}

export type JobState = "waiting" | "active" | "completed" | "dead";

export interface Job {
  id: string;
  /** The queue the job was added to; it never changes. */
  queue: string;
  data: unknown;
  state: JobState;
  /** Tries started so far: take() adds 1. A retry from the DLQ resets it to 0. */
  attempts: number;
  /** Total tries allowed, including the first (default 3). */
  maxAttempts: number;
  /** Every failed try, oldest first. */
  errors: ErrorRecord[];
}

/** What the admin sees for a dead job. */
export interface DeadLetter {
  /** The dead job's id. */
  id: string;
  /** The source queue: where retry() puts the job back. */
  queue: string;
  data: unknown;
  /** Tries used (equals the job's maxAttempts). */
  attempts: number;
  /** The message of the last error. */
  reason: string;
  /** clock.now() when the job was dead-lettered. */
  failedAt: number;
  /**
   * The job's error history, oldest first: at least one record per failed try
   * of its last life (maxAttempts records for a first death). Whether records
   * from lives before an earlier retry are kept is up to you.
   */
  errors: ErrorRecord[];
}

export interface DeadLetterQuery {
  /** Only dead letters from this source queue. */
  queue?: string;
  /** Skip this many (after filtering). Default 0. */
  offset?: number;
  /** Return at most this many. Default 50. */
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
 * read-only. Jobs of a queue are taken in FIFO order of when they (re-)entered
 * the waiting state.
 */
export class Queues {
  constructor(options: QueuesOptions) {
    throw new Error("TODO: keep the clock, the audit function and empty queues");
  }

  /** Adds a waiting job to the tail of `queue`. maxAttempts defaults to 3. */
  add(queue: string, data: unknown, options?: { maxAttempts?: number }): Job {
    throw new Error("TODO: create the job");
  }

  /** Takes the oldest waiting job of `queue`, makes it active and counts the try; null if none waits. */
  take(queue: string): Job | null {
    throw new Error("TODO: FIFO take");
  }

  /** Marks an active job completed. Throws if the job is not active. */
  complete(id: string): void {
    throw new Error("TODO: complete");
  }

  /**
   * Records the failed try of an active job (throws if it is not active).
   * If tries are left (attempts < maxAttempts) the job goes back to the tail of
   * its queue and "retry" is returned. Otherwise the job becomes "dead", a
   * DeadLetter is added to the DLQ and "dead" is returned.
   */
  fail(id: string, error: unknown): "retry" | "dead" {
    throw new Error("TODO: retry or dead-letter");
  }

  /** The job with this id, whatever its state; undefined if unknown. */
  get(id: string): Job | undefined {
    throw new Error("TODO: look up a job");
  }

  /** The waiting jobs of `queue`, in the order take() would return them. */
  waiting(queue: string): Job[] {
    throw new Error("TODO: list waiting jobs");
  }

  /** The admin list: dead letters matching the query, oldest first, paged. */
  deadLetters(query?: DeadLetterQuery): DeadLetterPage {
    throw new Error("TODO: filter, count, then page");
  }

  /**
   * The admin retry. If `id` has a DLQ entry, retry writes an audit record by
   * awaiting audit({ action: "retry", id, queue, at: clock.now() }) (when an
   * audit function was given; the job must not be back in its queue before
   * that resolves). Then the entry is gone from the DLQ, the job's attempts
   * are 0 and it waits at the tail of its source queue; retry resolves with
   * the job.
   *
   * Exactly once: however many retry() calls for the same entry run, one after
   * the other or at the same time, one of them resolves with the job and all
   * others resolve with null; the job is put back once. An id with no DLQ entry
   * (unknown, never dead, already retried) resolves with null.
   *
   * If audit rejects, retry rejects with that error and nothing changes: the
   * entry is still listed as before and no job was put back.
   */
  retry(id: string): Promise<Job | null> {
    throw new Error("TODO: claim the entry before awaiting anything");
  }
}
