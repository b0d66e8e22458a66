// Challenge: the worker's order step, written so that every order is charged
// exactly once, whatever happens to the worker: a kill -9 right before or right
// after the charge, a lost provider response, a stall long enough for another
// worker to take the job over, a SIGTERM in the middle.
//
// The course's worker (worker.ts in the lesson folder) calls migrate(db) once
// when it starts and processOrder(ctx) for every job it claims. It handles
// leases, retries and dead letters: a thrown error is retried with backoff
// (up to 5 attempts) or dead-lettered at once when `error.permanent === true`,
// and the error's message becomes the dead letter's reason.

import type Database from "better-sqlite3";

/** The job a worker has claimed. Several attempts of one job may overlap in time (see ack). */
export interface OrderJob {
  /** The job's row id in `jobs`. */
  id: number;
  /** The order this job pays: a row of `orders` (below). */
  orderId: string;
  /** 1 on the first try; every claim, including a reclaim after a lease ran out, adds one. */
  attempt: number;
}

export interface ChargeRequest {
  /**
   * The provider charges at most once per key: a request whose key it has seen
   * returns that first charge again and moves no money (a new key is a new
   * charge). A key reused with a different amount is rejected, permanently.
   */
  idempotencyKey: string;
  orderId: string;
  amountCents: number;
}

export interface Charge {
  chargeId: string;
  amountCents: number;
}

export interface PaymentProvider {
  /**
   * Charges the customer. May throw: `error.permanent === true` for a declined
   * card (retrying cannot help), otherwise a transient error, including a
   * timeout after the money has already moved. Rethrow what you cannot handle.
   */
  charge(request: ChargeRequest): Promise<Charge>;
}

export interface StepContext {
  /**
   * The shop's SQLite database (better-sqlite3, WAL mode), shared with other
   * worker processes and the HTTP server. The table the step works on:
   *
   *   orders (
   *     id           TEXT PRIMARY KEY,
   *     amount_cents INTEGER NOT NULL,
   *     status       TEXT NOT NULL,   -- 'pending' | 'paid' | 'failed'
   *     charge_id    TEXT,            -- set it to the provider's chargeId when paid
   *     ...
   *   )
   *
   * Any other table the step needs, create in migrate().
   */
  db: Database.Database;
  job: OrderJob;
  provider: PaymentProvider;
  /** A fresh random key (a UUID) on every call. */
  newIdempotencyKey(): string;
  /**
   * Acknowledges the job: marks it done, so it is never handed out again.
   * Returns false, and changes nothing, when this worker's lease ran out and
   * another worker has reclaimed the job; then just return: the new owner
   * finishes it. Synchronous, so it can run inside a db.transaction().
   */
  ack(): boolean;
}

/**
 * Creates whatever tables or columns processOrder needs.
 *
 * - [C1] Idempotent: it runs at every worker start, in several processes, on
 *   a database it may have migrated before.
 */
export function migrate(db: Database.Database): void {
  throw new Error("TODO: create the table(s) your step needs, if any");
}

/**
 * Pays the job's order exactly once and acknowledges the job.
 *
 * - [C2] Exactly once: over all attempts of the job (a retry after an error,
 *   a reclaim after a lease ran out, two attempts running at the same time,
 *   attempts in processes that were killed at any point, even right after the
 *   provider committed the charge but before its response arrived) the
 *   provider moves money at most once per order. So every attempt must send
 *   the same idempotencyKey, stored durably in the database before the first
 *   charge; a key kept in memory dies with its process. The tests also start a
 *   second attempt between any two of your statements.
 * - [C3] When it resolves, the order is `paid` with orders.charge_id = the
 *   provider's chargeId, and the job was acknowledged with ctx.ack() (also
 *   when another attempt had recorded the same charge first); or ack()
 *   returned false because another worker had reclaimed the job (then just
 *   return, do not throw: the new owner finishes it).
 * - [C4] The acknowledgement comes only after the charge is recorded (record
 *   it and call ack() in one db.transaction), never before the charge: a
 *   crash, or a statement that fails, at any point must never leave a job
 *   acknowledged while its order is unpaid.
 * - [C5] Provider errors propagate unchanged (rethrow the error itself, so
 *   error.permanent and the message survive: the message becomes the dead
 *   letter's reason). After an error the step has not marked the order paid
 *   or failed and has not acknowledged the job: the worker retries or
 *   dead-letters it.
 * - [C6] An order already recorded as `paid` (an earlier attempt recorded the
 *   charge and died before its ack) is not charged again, because the
 *   provider may have forgotten the key by then: just acknowledge the job.
 */
export async function processOrder(ctx: StepContext): Promise<void> {
  throw new Error("TODO: charge with a key that survives crashes, record the charge, then ack");
}
