// queuecraft:hidden-or-solution — never in a student edition
// Alternative: a key is released by a timer on the injected clock when its cooldown ends (no time arithmetic at add()), jobs live in an array scanned by id, and chargeOnce has a read-only fast path before the transaction that re-checks, charges and records the key together.
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
  private readonly clock: Clock;
  private readonly cooldownMs: number;
  private readonly all: DedupJob<T>[] = [];
  private line: DedupJob<T>[] = [];
  /** key -> the job holding it; an entry is deleted when the key is released. */
  private readonly holders = new Map<string, DedupJob<T>>();

  constructor(options: DedupQueueOptions) {
    this.clock = options.clock;
    this.cooldownMs = options.cooldownMs ?? 0;
  }

  add(data: T, key?: string): AddResult {
    if (typeof key === "string") {
      const holder = this.holders.get(key);
      if (holder !== undefined) return { id: holder.id, added: false };
    }
    const job: DedupJob<T> = {
      id: `${this.all.length + 1}`,
      key,
      data,
      state: "waiting",
      deliveries: 0,
      addedAt: this.clock.now(),
      finishedAt: undefined,
    };
    this.all.push(job);
    this.line.push(job);
    if (typeof key === "string") this.holders.set(key, job);
    return { id: job.id, added: true };
  }

  take(): DedupJob<T> | null {
    const job = this.line.shift();
    if (job === undefined) return null;
    job.state = "active";
    job.deliveries++;
    return { ...job };
  }

  complete(id: string): void {
    this.finish(id, "completed");
  }

  fail(id: string): void {
    this.finish(id, "failed");
  }

  abandon(id: string): void {
    const job = this.mustBeActive(id);
    job.state = "waiting";
    this.line.push(job);
  }

  jobs(): DedupJob<T>[] {
    return this.all.map((job) => ({ ...job }));
  }

  private finish(id: string, state: "completed" | "failed"): void {
    const job = this.mustBeActive(id);
    job.state = state;
    job.finishedAt = this.clock.now();
    const key = job.key;
    if (key === undefined) return;
    if (this.cooldownMs <= 0) {
      this.holders.delete(key);
      return;
    }
    this.clock.setTimeout(() => {
      if (this.holders.get(key) === job) this.holders.delete(key);
    }, this.cooldownMs);
  }

  private mustBeActive(id: string): DedupJob<T> {
    const job = this.all.find((candidate) => candidate.id === id);
    if (job?.state !== "active") throw new Error(`job ${id} is not active (${job?.state ?? "unknown"})`);
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
  const key = `payment:${data.paymentId}`;
  // Fast path for the common duplicate: a read-only look. It decides nothing
  // on its own; the transaction below checks again before it charges.
  if (ledger.transaction((tx) => tx.hasKey(key))) return "duplicate";
  return ledger.transaction((tx) => {
    if (tx.hasKey(key)) return "duplicate" as const;
    tx.recordKey(key);
    tx.charge(data.account, data.amountCents);
    return "charged" as const;
  });
}
