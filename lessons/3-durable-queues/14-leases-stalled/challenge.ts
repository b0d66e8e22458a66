// Challenge: leases, lock tokens, heartbeats and a stalled-job reaper, on a
// SQLite file shared by worker processes that may die at any moment.
//
// The vocabulary (BullMQ's):
//   - claim() gives the worker a LEASE on one job: a fresh lock TOKEN and a
//     time, lockedUntil = now + lockDurationMs, until which the job is its.
//   - A TOKEN IS VALID while the job is active, still holds that token, and
//     clock.now() < lockedUntil. extend(), complete() and fail() do nothing and
//     return false unless the token is valid: an outdated token (the lease ran
//     out, the job was reaped or claimed again) is rejected.
//   - extend() is the HEARTBEAT: lockedUntil = now + lockDurationMs.
//   - reap() is the stalled-job checker: every active job whose lease has run
//     out (lockedUntil <= now) has STALLED. Its stalledCount rises by one; if
//     stalledCount is now greater than maxStalledCount the job fails with
//     failedReason STALLED_REASON, otherwise it goes back to waiting.
//
// Time comes only from options.clock (the tests pass a FakeClock and move it
// by hand). Several processes may open the same file; a killed process must
// lose nothing that was committed. The schema is a starting point: the tests
// only use the functions.

import Database from "better-sqlite3";
import type { Clock } from "#kit/clock.ts";

export type JobState = "waiting" | "active" | "completed" | "failed";

export interface LeaseQueueOptions {
  /** now() for every timestamp. */
  clock: Clock;
  /** How long a claim or a heartbeat keeps the job. Default 30_000 (BullMQ's lockDuration). */
  lockDurationMs?: number;
  /** How many stalls a job survives; the next one fails it. Default 1 (BullMQ's default). */
  maxStalledCount?: number;
  /** Default 5_000. */
  busyTimeoutMs?: number;
}

export interface Claim {
  id: number;
  name: string;
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
  /** fail()'s reason, or STALLED_REASON, else null. */
  failedReason: string | null;
  /** The result passed to complete(), JSON round-tripped; undefined if none. */
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
   * Atomically takes the waiting job with the smallest id: it becomes active
   * with a fresh token and lockedUntil = now + lockDurationMs. Undefined if no
   * job is waiting. Jobs put back by reap() are claimable again.
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
  get(id: number): JobInfo | undefined;
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
 * - Every `heartbeatMs` (first one heartbeatMs after the start) it calls
 *   queue.extend(claim.id, claim.token).
 * - If a heartbeat returns false, the lease is lost: it stops heartbeating and
 *   aborts `signal` with a LeaseLostError at once; when the handler then
 *   settles, it resolves "lease-lost" without completing or failing the job.
 * - If the handler resolves first: queue.complete(id, token, result) and
 *   "completed" (or "lease-lost" if complete() refused).
 * - If the handler rejects first: queue.fail(id, token, error.message) and
 *   "failed" (or "lease-lost" if fail() refused).
 * - When it resolves, none of its heartbeat timers remain on the clock.
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
