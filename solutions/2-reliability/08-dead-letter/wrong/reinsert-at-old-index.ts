// queuecraft:hidden-or-solution — never in a student edition
// When the audit rejects, puts the entry back at the index it had, so if another entry was retried or died during the audit the restored entry lands in the wrong place of the oldest-first list.
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

interface Entry {
  seq: number;
  letter: DeadLetter;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class Queues {
  readonly #clock: Clock;
  readonly #audit: ((event: AuditEvent) => Promise<void>) | undefined;
  readonly #jobs = new Map<string, Job>();
  readonly #queues = new Map<string, string[]>();
  #dlq: Entry[] = [];
  #nextId = 0;
  #nextSeq = 0;

  constructor(options: QueuesOptions) {
    this.#clock = options.clock;
    this.#audit = options.audit;
  }

  #line(queue: string): string[] {
    let line = this.#queues.get(queue);
    if (!line) {
      line = [];
      this.#queues.set(queue, line);
    }
    return line;
  }

  #activeJob(id: string): Job {
    const job = this.#jobs.get(id);
    if (!job) throw new Error(`no job ${id}`);
    if (job.state !== "active") throw new Error(`job ${id} is ${job.state}, not active`);
    return job;
  }

  add(queue: string, data: unknown, options?: { maxAttempts?: number }): Job {
    this.#nextId += 1;
    const job: Job = {
      id: `j${this.#nextId}`,
      queue,
      data,
      state: "waiting",
      attempts: 0,
      maxAttempts: options?.maxAttempts ?? 3,
      errors: [],
    };
    this.#jobs.set(job.id, job);
    this.#line(queue).push(job.id);
    return job;
  }

  take(queue: string): Job | null {
    const line = this.#queues.get(queue);
    const id = line?.shift();
    if (id === undefined) return null;
    const job = this.#jobs.get(id)!;
    job.state = "active";
    job.attempts += 1;
    return job;
  }

  complete(id: string): void {
    const job = this.#activeJob(id);
    job.state = "completed";
  }

  fail(id: string, error: unknown): "retry" | "dead" {
    const job = this.#activeJob(id);
    const now = this.#clock.now();
    job.errors.push({ attempt: job.attempts, message: messageOf(error), at: now });
    if (job.attempts < job.maxAttempts) {
      job.state = "waiting";
      this.#line(job.queue).push(job.id);
      return "retry";
    }
    job.state = "dead";
    this.#nextSeq += 1;
    this.#dlq.push({
      seq: this.#nextSeq,
      letter: {
        id: job.id,
        queue: job.queue,
        data: job.data,
        attempts: job.attempts,
        reason: job.errors[job.errors.length - 1]!.message,
        failedAt: now,
        errors: job.errors.map((record) => ({ ...record })),
      },
    });
    return "dead";
  }

  get(id: string): Job | undefined {
    return this.#jobs.get(id);
  }

  waiting(queue: string): Job[] {
    return (this.#queues.get(queue) ?? []).map((id) => this.#jobs.get(id)!);
  }

  deadLetters(query: DeadLetterQuery = {}): DeadLetterPage {
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 50;
    const matches = this.#dlq
      .filter((entry) => query.queue === undefined || entry.letter.queue === query.queue)
      .map((entry) => entry.letter);
    return { total: matches.length, items: limit <= 0 ? [] : matches.slice(offset, offset + limit) };
  }

  async retry(id: string): Promise<Job | null> {
    const index = this.#dlq.findIndex((entry) => entry.letter.id === id);
    if (index < 0) return null;
    const [entry] = this.#dlq.splice(index, 1);
    const job = this.#jobs.get(id)!;
    if (this.#audit) {
      try {
        await this.#audit({ action: "retry", id, queue: job.queue, at: this.#clock.now() });
      } catch (error) {
        this.#dlq.splice(index, 0, entry!);
        throw error;
      }
    }
    job.attempts = 0;
    job.state = "waiting";
    this.#line(job.queue).push(job.id);
    return job;
  }
}
