// Challenge: a job queue that lives in one SQLite file (WAL mode), shared by
// several worker PROCESSES at once.
//
// The hidden tests open the same file from three worker processes that claim
// in tight loops, kill a worker with SIGKILL in the middle of a job, and reopen
// the file afterwards. They also make another connection act at the worst
// moment: between one of your statements and the next. What must hold:
//
//   - [C1] Claiming is atomic: no job is ever handed to two claimers, whatever
//     the processes do at the same time (even when another connection claims
//     between your claim's read and its write), and together they claim every job.
//   - [C2] Claiming never fails because another process is writing: claim()
//     waits for the write lock (busy_timeout) instead of throwing SQLITE_BUSY.
//   - [C3] attempts rises by exactly one per claim (not on fail, retry or recovery).
//   - [C4] Nothing lives only in memory: close the queue (or kill the process)
//     and reopen the file, and every job is still there in the state it had.
//   - [C5] A claim is a lease: a job whose worker died goes back to waiting once
//     its lease has run out (recoverExpired), and is claimed again later.
//   - [C6] complete(), fail() and recoverExpired() check and change a job in one
//     atomic step: another connection that recovers, claims or completes the
//     job between your check and your write never makes both of you win.
//   - [C7] An operation whose statement fails (it throws) changes nothing and
//     leaves the connection working: its transaction is rolled back, so the
//     next call succeeds and other connections are not locked out.
//   - [C8] Time comes from options.now (milliseconds); the tests pass a clock
//     they move by hand, so never call Date.now() directly except as the default.
//
// SCHEMA below is a starting point you may use as it is; the tests only use
// the functions, never the tables.

import Database from "better-sqlite3";

export type JobStatus = "waiting" | "active" | "completed" | "failed";

export interface Job {
  id: number;
  type: string;
  /**
   * [C9] The payload given to enqueue(), stored as JSON and parsed back: any
   * JSON value, including 0, "", false and null, comes back equal. What is
   * stored is the payload as it was when enqueue() was called.
   */
  payload: unknown;
  /** Lower number = claimed first. Default 0; negative numbers are allowed. */
  priority: number;
  /** Not claimable before this time (ms, from options.now). */
  runAt: number;
  status: JobStatus;
  /** How many times the job has been claimed. */
  attempts: number;
  /** The workerId holding the claim while the job is active, else null. */
  lockedBy: string | null;
  /** When the current claim's lease runs out (claim time + leaseMs) while active, else null. */
  lockedUntil: number | null;
  /** The error passed to the last fail(), else null. */
  lastError: string | null;
}

export interface QueueOptions {
  /** The clock, in milliseconds. Default Date.now. */
  now?: () => number;
  /** How long a claim lasts before recoverExpired() may take the job back. Default 30_000; 0 is allowed (the lease ends at once). */
  leaseMs?: number;
  /** How long to wait for another connection's write lock before giving up: the connection's busy_timeout. Default 5_000; 0 is allowed. */
  busyTimeoutMs?: number;
}

export interface EnqueueOptions {
  /** Lower runs first. Default 0. */
  priority?: number;
  /** run_at = now + delayMs. Default 0 (ready at once). */
  delayMs?: number;
}

export interface SqliteQueue {
  /**
   * [C10] Inserts a waiting job with the given priority (default 0) and
   * runAt = now + delayMs (default 0), and returns its id (ids increase with
   * every insert).
   */
  enqueue(type: string, payload: unknown, options?: EnqueueOptions): number;

  /**
   * - [C11] Atomically claims up to `limit` (default 1; 0 claims nothing)
   *   waiting jobs whose runAt <= now, choosing them in the order
   *   (priority, runAt, id), all ascending, and returns them in that order.
   *   Returns [] when nothing is ready (an empty queue included).
   * - [C12] Each claimed job becomes active with attempts + 1,
   *   lockedBy = workerId and lockedUntil = now + leaseMs (an explicit
   *   leaseMs of 0 included); the returned objects show those new values.
   *
   * Must be safe when several connections, in several processes, claim from
   * the same file at the same moment: no job is returned twice, and no call
   * throws because another connection holds the write lock (see the top of the file).
   */
  claim(workerId: string, limit?: number): Job[];

  /**
   * [C13] Marks the job completed if it is active and claimed by `workerId`,
   * and returns true; otherwise changes nothing and returns false: a worker
   * that does not hold the claim, a job that is not active (waiting again after
   * recoverExpired, completed, failed), a job recovered and claimed by another
   * worker since, an id that does not exist.
   */
  complete(id: number, workerId: string): boolean;

  /**
   * [C14] If the job is active and claimed by `workerId`: records `error` as
   * lastError (also when the job fails for good, and also an empty string)
   * and, with `retryDelayMs` (0 included), puts it back to waiting
   * with runAt = now + retryDelayMs; without it, marks it failed for good.
   * Clears the claim (lockedBy and lockedUntil become null) and returns true.
   * Otherwise (same cases as complete) changes nothing and returns false.
   * attempts does not change here.
   */
  fail(id: number, workerId: string, error: string, retryDelayMs?: number): boolean;

  /**
   * [C15] Puts every active job whose lease has run out (lockedUntil <= now)
   * back to waiting, clearing its claim, and returns how many it moved. Jobs
   * whose lease is still running are left alone: their worker may be alive.
   */
  recoverExpired(): number;

  /**
   * [C16] The job as it is stored now, or undefined if there is no such id.
   * A snapshot: changing the returned object (or its payload) changes nothing stored.
   */
  get(id: number): Job | undefined;

  /** [C17] How many jobs are in each status (every status present, 0 if none). */
  counts(): Record<JobStatus, number>;

  /** Closes the database connection. */
  close(): void;
}

export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS jobs (
    id           INTEGER PRIMARY KEY,
    type         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    priority     INTEGER NOT NULL DEFAULT 0,
    run_at       INTEGER NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'waiting'
                 CHECK (status IN ('waiting', 'active', 'completed', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    locked_by    TEXT,
    locked_until INTEGER,
    last_error   TEXT
  );
  CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (priority, run_at, id) WHERE status = 'waiting';
  CREATE INDEX IF NOT EXISTS jobs_leases ON jobs (locked_until) WHERE status = 'active';
`;

/**
 * [C18] Opens (creating if needed) the queue stored in `file`: sets the
 * connection's busy_timeout to options.busyTimeoutMs (default 5_000; 0 means
 * "do not wait": give up at once) before switching to WAL, which needs the
 * write lock too; switches the database to WAL mode (the file stays in WAL
 * mode for every later connection) and creates the schema. Several processes
 * may open the same file at the same time.
 */
export function openQueue(file: string, options: QueueOptions = {}): SqliteQueue {
  void Database;
  void file;
  void options;
  throw new Error("TODO: open the database (busy_timeout, WAL, schema) and return the queue's operations");
}
