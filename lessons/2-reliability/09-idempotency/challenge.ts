// Challenge: two layers against doing the same work twice.
//   1. DedupQueue: at most one unfinished job per dedup key (waiting OR active).
//   2. chargeOnce: a handler whose side effect happens once per payment, even
//      when the same payment is delivered again after a crash, because it
//      records an idempotency key in the same transaction as the effect.
import type { Clock } from "#kit/clock.ts";

export type DedupJobState = "waiting" | "active" | "completed" | "failed";

export interface DedupJob<T> {
  id: string;
  /** The dedup key given to add(), if any. */
  key: string | undefined;
  data: T;
  state: DedupJobState;
  /** How many times take() has handed this job out (a crash makes it come back). */
  deliveries: number;
  /** clock.now() when add() created the job. */
  addedAt: number;
  /** clock.now() when complete() or fail() finished it; undefined while unfinished. */
  finishedAt: number | undefined;
}

export interface AddResult {
  /** The id of the new job, or of the existing job that made this add a duplicate. */
  id: string;
  /** false when the add was dropped as a duplicate. */
  added: boolean;
}

export interface DedupQueueOptions {
  clock: Clock;
  /**
   * How long a key stays blocked AFTER its job finished (completed or failed),
   * in ms. Default 0: the key is free again the moment the job finishes.
   */
  cooldownMs?: number;
}

/**
 * An in-memory FIFO queue with dedup keys.
 *
 * - [C1] A key is "held" while a job with that key is unfinished (waiting or
 *   active; an abandoned job is waiting again, so it still holds its key) and,
 *   after that job finished (complete() or fail()) at time f, while
 *   clock.now() < f + cooldownMs. With cooldownMs 0 (the default) the key is
 *   free the moment its job finishes. A key is any string: "", "constructor",
 *   "__proto__" and "toString" are keys like any other.
 */
export class DedupQueue<T> {
  constructor(options: DedupQueueOptions) {
    throw new Error("TODO: keep the clock, the cooldown and an empty queue");
  }

  /**
   * - [C2] With a `key` that is held, adds nothing and returns
   *   { id: <the job holding the key>, added: false }: the job that holds it now
   *   (waiting, active or cooling down), which is the latest job added with it.
   * - [C3] Otherwise adds a job at the tail of the queue, "waiting", with
   *   deliveries 0, addedAt = clock.now(), finishedAt undefined and an id no
   *   other job has, and returns { id, added: true }. Without a key
   *   (undefined), always adds.
   */
  add(data: T, key?: string): AddResult {
    throw new Error("TODO: check the key against waiting AND active jobs (and the cooldown)");
  }

  /** [C4] Hands out the oldest waiting job (now "active", deliveries + 1), or null when none waits. */
  take(): DedupJob<T> | null {
    throw new Error("TODO: FIFO take");
  }

  /**
   * [C5] The active job succeeded: it is "completed", finishedAt = clock.now(),
   * and its key is released (after the cooldown). complete() and fail() throw
   * if the job is not active (waiting, finished or unknown) and then change
   * nothing: a waiting job keeps waiting and keeps its key.
   */
  complete(id: string): void {
    throw new Error("TODO: finish the job; its key is released (after the cooldown)");
  }

  /** [C6] The active job failed for good: "failed", finishedAt = clock.now(); releases the key like complete() and throws like complete(). */
  fail(id: string): void {
    throw new Error("TODO: finish the job as failed");
  }

  /**
   * [C7] The worker holding this active job crashed before it could complete
   * it (think: lock expired, stalled job). The job goes back to the TAIL of the
   * queue, behind every job already waiting, to be delivered again, and KEEPS
   * its key: it is still unfinished. Throws if the job is not active (waiting,
   * finished or unknown) and then changes nothing: a waiting job is never
   * queued twice.
   */
  abandon(id: string): void {
    throw new Error("TODO: redeliver later; the key stays held");
  }

  /** [C8] Every job ever added, in the order they were added, with its current state, deliveries and times. Treat as read-only. */
  jobs(): DedupJob<T>[] {
    throw new Error("TODO: list jobs");
  }
}

/** One transaction on the payments ledger. */
export interface LedgerTx {
  /** Whether this idempotency key was recorded (committed, or earlier in this transaction). */
  hasKey(key: string): boolean;
  /** Records the idempotency key. */
  recordKey(key: string): void;
  /** The side effect: charges the account. */
  charge(account: string, amountCents: number): void;
}

/**
 * The payments ledger (in the tests: a fake that can crash). transaction(fn)
 * runs fn and commits every write fn made, all together; if fn throws, or the
 * ledger fails before committing, nothing is written and transaction throws.
 * The tests also simulate the worker dying right AFTER a commit: the writes are
 * durable, transaction throws, and the job is redelivered later. Other workers
 * share the ledger: one transaction runs at a time, but between two of your
 * transactions another worker may run a whole delivery of the same payment.
 */
export interface Ledger {
  transaction<R>(fn: (tx: LedgerTx) => R): R;
}

export interface ChargeJobData {
  /** Unique per payment; the idempotency key. */
  paymentId: string;
  account: string;
  amountCents: number;
}

/**
 * The job handler.
 *
 * - [C9] Charges `account` by `amountCents` (that account, that amount) and
 *   returns "charged" unless this payment was already charged; then it charges
 *   nothing and returns "duplicate". The payment is identified by `paymentId`
 *   alone: two payments with the same account and amount are both charged.
 * - [C10] However often the same payment is delivered (duplicate jobs,
 *   redeliveries after a crash before or right after any commit), the account
 *   is charged exactly once per paymentId: never twice, never zero times once
 *   a delivery has got through.
 * - [C11] The same holds when another worker delivers the same payment at the
 *   same time, running its whole delivery between two of your transactions.
 * - [C12] Let ledger errors propagate (a crash, or charge() itself throwing):
 *   chargeOnce then throws, and a failed attempt leaves nothing behind that
 *   would stop a later delivery from charging the payment.
 */
export function chargeOnce(ledger: Ledger, data: ChargeJobData): "charged" | "duplicate" {
  throw new Error("TODO: check the key, charge and record the key in ONE transaction");
}
