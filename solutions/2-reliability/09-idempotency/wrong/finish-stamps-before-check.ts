// queuecraft:hidden-or-solution — never in a student edition
// Stamps finishedAt before checking that the job is active, so a refused complete()/fail() on an already finished job restarts its cooldown (a late duplicate ack keeps the key held longer), and an abandoned, unfinished job shows a finish time.
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
  private waiting: string[] = [];
  private seq = 0;

  constructor(options: DedupQueueOptions) {
    this.clock = options.clock;
    this.cooldownMs = options.cooldownMs ?? 0;
  }

  private holder(key: string): DedupJob<T> | undefined {
    for (let i = this.all.length - 1; i >= 0; i--) {
      const job = this.all[i]!;
      if (job.key !== key) continue;
      if (job.state === "waiting" || job.state === "active") return job;
      if (job.finishedAt !== undefined && this.clock.now() < job.finishedAt + this.cooldownMs) return job;
      return undefined;
    }
    return undefined;
  }

  private find(id: string): DedupJob<T> | undefined {
    return this.all.find((job) => job.id === id);
  }

  add(data: T, key?: string): AddResult {
    if (key !== undefined) {
      const held = this.holder(key);
      if (held) return { id: held.id, added: false };
    }
    this.seq += 1;
    const job: DedupJob<T> = {
      id: `job-${this.seq}`,
      key,
      data,
      state: "waiting",
      deliveries: 0,
      addedAt: this.clock.now(),
      finishedAt: undefined,
    };
    this.all.push(job);
    this.waiting.push(job.id);
    return { id: job.id, added: true };
  }

  take(): DedupJob<T> | null {
    const id = this.waiting.shift();
    if (id === undefined) return null;
    const job = this.find(id)!;
    job.state = "active";
    job.deliveries += 1;
    return job;
  }

  private active(id: string): DedupJob<T> {
    const job = this.find(id);
    if (!job) throw new Error(`unknown job ${id}`);
    job.finishedAt = this.clock.now();
    if (job.state !== "active") throw new Error(`job ${id} is ${job.state}, not active`);
    return job;
  }

  complete(id: string): void {
    const job = this.active(id);
    job.state = "completed";
    job.finishedAt = this.clock.now();
  }

  fail(id: string): void {
    const job = this.active(id);
    job.state = "failed";
    job.finishedAt = this.clock.now();
  }

  abandon(id: string): void {
    const job = this.active(id);
    job.state = "waiting";
    this.waiting.push(job.id);
  }

  jobs(): DedupJob<T>[] {
    return this.all.map((job) => ({ ...job }));
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
  let outcome: "charged" | "duplicate" = "duplicate";
  ledger.transaction((tx) => {
    if (tx.hasKey(data.paymentId)) {
      outcome = "duplicate";
      return;
    }
    tx.charge(data.account, data.amountCents);
    tx.recordKey(data.paymentId);
    outcome = "charged";
  });
  return outcome;
}
