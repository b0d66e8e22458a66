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

/** Creates whatever tables or columns processOrder needs (idempotently: it runs at every worker start). */
export function migrate(db: Database.Database): void {
  throw new Error("TODO: create the table(s) your step needs, if any");
}

/**
 * Pays the job's order exactly once and acknowledges the job. When it returns,
 * the order must be `paid` with the provider's chargeId recorded and the job
 * acknowledged, or the job must have been reclaimed by another worker. The
 * process may be killed at any point, for example right after the provider
 * committed the charge but before this function saw the response; a later
 * attempt must then not charge again. Errors from the provider propagate.
 */
export async function processOrder(ctx: StepContext): Promise<void> {
  throw new Error("TODO: charge with a key that survives crashes, record the charge, then ack");
}
