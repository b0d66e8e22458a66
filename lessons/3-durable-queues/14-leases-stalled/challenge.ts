// Challenge: leases, lock tokens, heartbeats and a stalled-job reaper, on a
// SQLite file shared by worker processes that may die at any moment.
//
// The vocabulary (BullMQ's):
//   - [C1] claim() gives the worker a LEASE on one job: a fresh lock TOKEN and
//     a time, lockedUntil = now + lockDurationMs, until which the job is its.
//     A token is unique to its claim: no other claim of any job, on any
//     connection or in any process, ever gets the same one.
//   - [C2] A TOKEN IS VALID while the job is active, still holds that token,
//     and clock.now() < lockedUntil (at lockedUntil itself it is no longer
//     valid). extend(), complete() and fail() do nothing and return false
//     unless the token is valid: an outdated token (the lease ran out, the job
//     was reaped or claimed again), a token never issued, an id that does not
//     exist are all rejected.
//   - [C3] extend() is the HEARTBEAT: lockedUntil = now + lockDurationMs (from
//     now, not added to the old lockedUntil).
//   - [C4] reap() is the stalled-job checker: every active job whose lease has
//     run out (lockedUntil <= now) has STALLED. Its stalledCount rises by one;
//     if stalledCount is now greater than maxStalledCount the job fails with
//     failedReason STALLED_REASON, otherwise it goes back to waiting (no
//     failedReason, no lease: lockedUntil null). It returns the ids it put
//     back (requeued) and the ids it failed (failed), each list ascending.
//
// - [C5] Every operation checks and changes a job in ONE atomic step. The
//   tests make another connection act between any two of your statements: a
//   worker whose lease runs out and whose job is reaped and claimed again in
//   that gap must not complete, fail or extend the new holder's job; two
//   claimers never get the same job; two reapers never count one stall twice.
// - [C6] Time comes only from options.clock (the tests pass a FakeClock and
//   move it by hand).
// - [C7] Several processes may open the same file; a killed process loses
//   nothing that was committed. close() closes the queue's connection: once
//   it returns, the queue holds nothing open on the file.
// - [C8] An operation whose statement fails (it throws) changes nothing and
//   leaves the connection working: roll its transaction back.
//
// The schema is a starting point: the tests only use the functions.

import Database from "better-sqlite3";
import type { Clock } from "#kit/clock.ts";

export type JobState = "waiting" | "active" | "completed" | "failed";

export interface LeaseQueueOptions {
  /** now() for every timestamp. */
  clock: Clock;
  /** How long a claim or a heartbeat keeps the job. Default 30_000 (BullMQ's lockDuration). */
  lockDurationMs?: number;
  /**
   * [C9] How many stalls a job survives; the next one fails it. Default 1
   * (BullMQ's default). 0 is allowed: the first stall fails the job.
   */
  maxStalledCount?: number;
  /** Default 5_000. */
  busyTimeoutMs?: number;
}

export interface Claim {
  id: number;
  name: string;
  /** [C10] The data given to add(), JSON round-tripped: 0, "", false and null come back as they went in. */
  data: unknown;
  /** Unique to this claim: no earlier claim of any job ever had the same token. */
  token: string;
  /** clock.now() at the claim + lockDurationMs. */
  lockedUntil: number;
  /** How many times the job has stalled before this claim. */
  stalledCount: number;
}

export interface JobInfo {
  id: number;
  name: string;
  state: JobState;
  stalledCount: number;
  /** The current lease's end while active, else null. */
  lockedUntil: number | null;
  /** fail()'s reason (an empty string too), or STALLED_REASON, else null. */
  failedReason: string | null;
  /**
   * [C11] The result passed to complete(), JSON round-tripped (0, "", false
   * and null included); undefined if none.
   */
  result: unknown;
}

export interface ReapResult {
  /** Ids of stalled jobs put back to waiting, ascending. */
  requeued: number[];
  /** Ids of stalled jobs that failed because they stalled too often, ascending. */
  failed: number[];
}

export interface LeaseQueue {
  /** Adds a waiting job (data stored as JSON) and returns its id. */
  add(name: string, data: unknown): number;
  /**
   * [C12] Atomically takes the waiting job with the smallest id: it becomes
   * active with a fresh token and lockedUntil = now + lockDurationMs.
   * Undefined only if no job is waiting (another claimer taking the first
   * one meanwhile is no reason to return undefined while others wait). Jobs
   * put back by reap() are claimable again; completed and failed jobs never.
   */
  claim(): Claim | undefined;
  /** Heartbeat: if the token is valid, lockedUntil = now + lockDurationMs and true; else false. */
  extend(id: number, token: string): boolean;
  /** If the token is valid: the job is completed with `result` and true; else false, nothing changes. */
  complete(id: number, token: string, result?: unknown): boolean;
  /** If the token is valid: the job is failed with `reason` and true; else false, nothing changes. */
  fail(id: number, token: string, reason: string): boolean;
  /** Handles every active job with lockedUntil <= now as stalled (see the top of the file). */
  reap(): ReapResult;
  /** [C13] The job as stored now (a fresh object on every call), or undefined for an id that does not exist. */
  get(id: number): JobInfo | undefined;
  /** Closes the queue's database connection (see [C7]). */
  close(): void;
}

/** BullMQ's failedReason for a job that stalled more than maxStalledCount times. */
export const STALLED_REASON = "job stalled more than allowable limit";

export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS lease_jobs (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    data          TEXT    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'waiting',
    lock_token    TEXT,
    locked_until  INTEGER,
    stalled_count INTEGER NOT NULL DEFAULT 0,
    failed_reason TEXT,
    result        TEXT
  );
  CREATE INDEX IF NOT EXISTS lease_jobs_waiting ON lease_jobs (id) WHERE state = 'waiting';
  CREATE INDEX IF NOT EXISTS lease_jobs_leases ON lease_jobs (locked_until) WHERE state = 'active';
`;

/** Opens (creating if needed) the queue in `file`: busy_timeout, WAL mode, schema. */
export function openLeaseQueue(file: string, options: LeaseQueueOptions): LeaseQueue {
  void Database;
  void file;
  void options;
  throw new Error("TODO: open the database and return the lease queue's operations");
}

export type Outcome = "completed" | "failed" | "lease-lost";

export interface RunOptions {
  /** Heartbeat timers are set with clock.setTimeout and cleared with clock.clearTimeout. */
  clock: Clock;
  /** Time between heartbeats; BullMQ uses lockDuration / 2. */
  heartbeatMs: number;
}

/** The abort reason runWithLease gives the handler's signal when the lease is lost. */
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

/**
 * Runs `handler(claim.data, signal)` for a claimed job while keeping its lease:
 *
 * - [C14] Every `heartbeatMs` (the first one heartbeatMs after the start, not
 *   before) it calls queue.extend(claim.id, claim.token).
 * - [C15] If a heartbeat returns false, the lease is lost: it stops
 *   heartbeating (no further extend() calls) and aborts `signal` with a
 *   LeaseLostError at once. It resolves "lease-lost" only when the handler
 *   then settles (not before: the caller must not move on while the old
 *   handler still runs), without completing or failing the job.
 * - [C16] If the handler resolves first: queue.complete(id, token, result)
 *   with the handler's result, whatever it is (0, "", false, null too), and
 *   "completed" (or "lease-lost" if complete() refused).
 * - [C17] If the handler rejects (or throws before returning a promise)
 *   first: queue.fail(id, token, error.message) and "failed" (or
 *   "lease-lost" if fail() refused).
 * - [C18] When it resolves, none of its heartbeat timers remain on the clock.
 */
export async function runWithLease(
  queue: LeaseQueue,
  claim: Claim,
  handler: (data: unknown, signal: AbortSignal) => Promise<unknown>,
  options: RunOptions,
): Promise<Outcome> {
  void queue;
  void claim;
  void handler;
  void options;
  throw new Error("TODO: heartbeat, run the handler, abort on a lost lease, then complete or fail");
}
