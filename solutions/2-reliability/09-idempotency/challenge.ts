// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: a queue that holds a dedup key while its job is waiting
// or active (plus an optional cooldown after it finishes), and a handler that
// records its idempotency key in the same transaction as its side effect.
import type { Clock } from "#kit/clock.ts";

export type DedupJobState = "waiting" | "active" | "completed" | "failed";

export interface DedupJob<T> {
  id: string;
  key: string | undefined;
  data: T;
  state: DedupJobState;
  deliveries: number;
  addedAt: number;
  finishedAt: number | undefined;
}

export interface AddResult {
  id: string;
  added: boolean;
}

export interface DedupQueueOptions {
  clock: Clock;
  cooldownMs?: number;
}

export class DedupQueue<T> {
  readonly #clock: Clock;
  readonly #cooldownMs: number;
  readonly #jobs = new Map<string, DedupJob<T>>();
  readonly #waiting: string[] = [];
  /** The latest job added under each key. */
  readonly #byKey = new Map<string, DedupJob<T>>();
  #nextId = 1;

  constructor(options: DedupQueueOptions) {
    this.#clock = options.clock;
    this.#cooldownMs = options.cooldownMs ?? 0;
  }

  add(data: T, key?: string): AddResult {
    if (key !== undefined) {
      const holder = this.#byKey.get(key);
      if (holder && this.#holdsKey(holder)) return { id: holder.id, added: false };
    }
    const job: DedupJob<T> = {
      id: `job-${this.#nextId++}`,
      key,
      data,
      state: "waiting",
      deliveries: 0,
      addedAt: this.#clock.now(),
      finishedAt: undefined,
    };
    this.#jobs.set(job.id, job);
    this.#waiting.push(job.id);
    if (key !== undefined) this.#byKey.set(key, job);
    return { id: job.id, added: true };
  }

  take(): DedupJob<T> | null {
    const id = this.#waiting.shift();
    if (id === undefined) return null;
    const job = this.#jobs.get(id)!;
    job.state = "active";
    job.deliveries += 1;
    return { ...job };
  }

  complete(id: string): void {
    this.#finish(this.#active(id), "completed");
  }

  fail(id: string): void {
    this.#finish(this.#active(id), "failed");
  }

  abandon(id: string): void {
    const job = this.#active(id);
    job.state = "waiting"; // unfinished, so its key stays held
    this.#waiting.push(job.id);
  }

  jobs(): DedupJob<T>[] {
    return [...this.#jobs.values()].map((job) => ({ ...job }));
  }

  #holdsKey(job: DedupJob<T>): boolean {
    // Waiting OR active: a job being worked on right now is the duplicate that matters most.
    if (job.state === "waiting" || job.state === "active") return true;
    return this.#clock.now() < job.finishedAt! + this.#cooldownMs;
  }

  #finish(job: DedupJob<T>, state: "completed" | "failed"): void {
    job.state = state;
    job.finishedAt = this.#clock.now();
  }

  #active(id: string): DedupJob<T> {
    const job = this.#jobs.get(id);
    if (!job || job.state !== "active") throw new Error(`job ${id} is not active`);
    return job;
  }
}

export interface LedgerTx {
  hasKey(key: string): boolean;
  recordKey(key: string): void;
  charge(account: string, amountCents: number): void;
}

export interface Ledger {
  transaction<R>(fn: (tx: LedgerTx) => R): R;
}

export interface ChargeJobData {
  paymentId: string;
  account: string;
  amountCents: number;
}

export function chargeOnce(ledger: Ledger, data: ChargeJobData): "charged" | "duplicate" {
  // One transaction: the key and the charge commit together or not at all, so
  // no crash can leave a charge without its key (double charge on redelivery)
  // or a key without its charge (a payment that is never taken).
  return ledger.transaction((tx) => {
    if (tx.hasKey(data.paymentId)) return "duplicate";
    tx.charge(data.account, data.amountCents);
    tx.recordKey(data.paymentId);
    return "charged";
  });
}
