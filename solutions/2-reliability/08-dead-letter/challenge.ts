// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: queues with a dead-letter queue, an admin list and an
// exactly-once admin retry (claim the entry first, then await the audit).
import type { Clock } from "#kit/clock.ts";

export interface ErrorRecord {
  attempt: number;
  message: string;
  at: number;
}

export type JobState = "waiting" | "active" | "completed" | "dead";

export interface Job {
  id: string;
  queue: string;
  data: unknown;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  errors: ErrorRecord[];
}

export interface DeadLetter {
  id: string;
  queue: string;
  data: unknown;
  attempts: number;
  reason: string;
  failedAt: number;
  errors: ErrorRecord[];
}

export interface DeadLetterQuery {
  queue?: string;
  offset?: number;
  limit?: number;
}

export interface DeadLetterPage {
  total: number;
  items: DeadLetter[];
}

export interface AuditEvent {
  action: "retry";
  id: string;
  queue: string;
  at: number;
}

export interface QueuesOptions {
  clock: Clock;
  audit?: (event: AuditEvent) => Promise<void>;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const copyJob = (job: Job): Job => ({ ...job, errors: [...job.errors] });

export class Queues {
  readonly #clock: Clock;
  readonly #audit: ((event: AuditEvent) => Promise<void>) | undefined;
  readonly #jobs = new Map<string, Job>();
  readonly #waiting = new Map<string, string[]>();
  // Each dead letter keeps the sequence number of its death, so an entry put
  // back after a failed audit returns to its old place in the list.
  readonly #dead = new Map<string, { entry: DeadLetter; seq: number }>();
  #deaths = 0;
  #nextId = 1;

  constructor(options: QueuesOptions) {
    this.#clock = options.clock;
    this.#audit = options.audit;
  }

  add(queue: string, data: unknown, options: { maxAttempts?: number } = {}): Job {
    const job: Job = {
      id: `job-${this.#nextId++}`,
      queue,
      data,
      state: "waiting",
      attempts: 0,
      maxAttempts: options.maxAttempts ?? 3,
      errors: [],
    };
    this.#jobs.set(job.id, job);
    this.#enqueue(job);
    return copyJob(job);
  }

  take(queue: string): Job | null {
    const id = this.#waiting.get(queue)?.shift();
    if (id === undefined) return null;
    const job = this.#jobs.get(id)!;
    job.state = "active";
    job.attempts += 1;
    return copyJob(job);
  }

  complete(id: string): void {
    this.#active(id).state = "completed";
  }

  fail(id: string, error: unknown): "retry" | "dead" {
    const job = this.#active(id);
    const now = this.#clock.now();
    job.errors.push({ attempt: job.attempts, message: messageOf(error), at: now });
    if (job.attempts < job.maxAttempts) {
      this.#enqueue(job);
      return "retry";
    }
    job.state = "dead";
    const entry: DeadLetter = {
      id: job.id,
      queue: job.queue,
      data: job.data,
      attempts: job.attempts,
      reason: messageOf(error),
      failedAt: now,
      errors: [...job.errors],
    };
    this.#dead.set(job.id, { entry, seq: this.#deaths++ });
    return "dead";
  }

  get(id: string): Job | undefined {
    const job = this.#jobs.get(id);
    return job && copyJob(job);
  }

  waiting(queue: string): Job[] {
    return (this.#waiting.get(queue) ?? []).map((id) => copyJob(this.#jobs.get(id)!));
  }

  deadLetters(query: DeadLetterQuery = {}): DeadLetterPage {
    const { queue, offset = 0, limit = 50 } = query;
    const matching = [...this.#dead.values()]
      .sort((a, b) => a.seq - b.seq)
      .map(({ entry }) => entry)
      .filter((entry) => queue === undefined || entry.queue === queue);
    return { total: matching.length, items: matching.slice(offset, offset + limit) };
  }

  async retry(id: string): Promise<Job | null> {
    const claimed = this.#dead.get(id);
    if (!claimed) return null;
    // Claim first, synchronously: a second retry() running while we await the
    // audit finds no entry and resolves null. This is the in-memory version of
    // BullMQ's "ZREM ... == 1" check or SQL's DELETE ... RETURNING.
    this.#dead.delete(id);
    try {
      await this.#audit?.({ action: "retry", id, queue: claimed.entry.queue, at: this.#clock.now() });
    } catch (error) {
      this.#dead.set(id, claimed); // undo the claim: nothing changed
      throw error;
    }
    const job = this.#jobs.get(id)!;
    job.attempts = 0;
    this.#enqueue(job);
    return copyJob(job);
  }

  #enqueue(job: Job): void {
    job.state = "waiting";
    const ids = this.#waiting.get(job.queue) ?? [];
    ids.push(job.id);
    this.#waiting.set(job.queue, ids);
  }

  #active(id: string): Job {
    const job = this.#jobs.get(id);
    if (!job || job.state !== "active") throw new Error(`job ${id} is not active`);
    return job;
  }
}
