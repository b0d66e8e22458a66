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
 * An in-memory FIFO queue with dedup keys. A key is "held" while a job with that
 * key is unfinished (waiting or active) and, after that job finished at time f,
 * while clock.now() < f + cooldownMs. A held key makes add() a duplicate.
 */
export class DedupQueue<T> {
  constructor(options: DedupQueueOptions) {
    throw new Error("TODO: keep the clock, the cooldown and an empty queue");
  }

  /**
   * Adds a waiting job at the tail of the queue. With a `key` that is held,
   * adds nothing and returns { id: <the job holding the key>, added: false }.
   * Without a key, always adds.
   */
  add(data: T, key?: string): AddResult {
    throw new Error("TODO: check the key against waiting AND active jobs (and the cooldown)");
  }

  /** Hands out the oldest waiting job (now active, deliveries + 1), or null. */
  take(): DedupJob<T> | null {
    throw new Error("TODO: FIFO take");
  }

  /** The active job succeeded. Throws if the job is not active. */
  complete(id: string): void {
    throw new Error("TODO: finish the job; its key is released (after the cooldown)");
  }

  /** The active job failed for good. Throws if the job is not active. Releases the key like complete(). */
  fail(id: string): void {
    throw new Error("TODO: finish the job as failed");
  }

  /**
   * The worker holding this active job crashed before it could complete it
   * (think: lock expired, stalled job). The job goes back to the tail of the
   * queue, waiting to be delivered again, and KEEPS its key: it is still
   * unfinished. Throws if the job is not active.
   */
  abandon(id: string): void {
    throw new Error("TODO: redeliver later; the key stays held");
  }

  /** Every job ever added, in the order they were added. Treat as read-only. */
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
 * durable, transaction throws, and the job is redelivered later.
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
 * The job handler. Charges `account` by `amountCents` unless this payment was
 * already charged, and returns "charged" or "duplicate". However often the
 * same payment is delivered (duplicate jobs, redeliveries after a crash at any
 * point), the account is charged exactly once per paymentId: never twice,
 * never zero times once a delivery has got through. Let ledger errors propagate.
 */
export function chargeOnce(ledger: Ledger, data: ChargeJobData): "charged" | "duplicate" {
  throw new Error("TODO: check the key, charge and record the key in ONE transaction");
}
