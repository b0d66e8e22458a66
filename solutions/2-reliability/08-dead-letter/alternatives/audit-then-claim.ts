// queuecraft:hidden-or-solution — never in a student edition
// Alternative: the DLQ is one array in death order (no sequence numbers), and retry leaves the entry in place while it awaits the audit, then claims it only if that very entry object is still listed (check, await, re-check and remove in one synchronous step), so a failed audit has nothing to undo.
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

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function snapshot(job: Job): Job {
  return structuredClone(job);
}

export class Queues {
  private readonly clock: Clock;
  private readonly audit: ((event: AuditEvent) => Promise<void>) | undefined;
  private readonly jobs = new Map<string, Job>();
  private readonly lines = new Map<string, Job[]>();
  /** Dead letters in the order the jobs died; an entry is removed when it is retried. */
  private dlq: DeadLetter[] = [];
  private counter = 0;

  constructor(options: QueuesOptions) {
    this.clock = options.clock;
    this.audit = options.audit;
  }

  private line(queue: string): Job[] {
    let line = this.lines.get(queue);
    if (!line) {
      line = [];
      this.lines.set(queue, line);
    }
    return line;
  }

  private activeJob(id: string): Job {
    const job = this.jobs.get(id);
    if (job === undefined || job.state !== "active") throw new Error(`no active job ${id}`);
    return job;
  }

  add(queue: string, data: unknown, options?: { maxAttempts?: number }): Job {
    this.counter += 1;
    const job: Job = { id: String(this.counter), queue, data, state: "waiting", attempts: 0, maxAttempts: options?.maxAttempts ?? 3, errors: [] };
    this.jobs.set(job.id, job);
    this.line(queue).push(job);
    return { ...job, errors: [] };
  }

  take(queue: string): Job | null {
    const job = this.lines.get(queue)?.shift();
    if (job === undefined) return null;
    job.state = "active";
    job.attempts++;
    return { ...job, errors: [...job.errors] };
  }

  complete(id: string): void {
    const job = this.activeJob(id);
    job.state = "completed";
  }

  fail(id: string, error: unknown): "retry" | "dead" {
    const job = this.activeJob(id);
    const at = this.clock.now();
    const message = describe(error);
    job.errors.push({ attempt: job.attempts, message, at });
    if (job.attempts >= job.maxAttempts) {
      job.state = "dead";
      this.dlq.push({
        id: job.id,
        queue: job.queue,
        data: job.data,
        attempts: job.attempts,
        reason: message,
        failedAt: at,
        // Only this life's failures: the records since the last admin retry.
        errors: job.errors.slice(-job.attempts).map((record) => ({ ...record })),
      });
      return "dead";
    }
    job.state = "waiting";
    this.line(job.queue).push(job);
    return "retry";
  }

  get(id: string): Job | undefined {
    const job = this.jobs.get(id);
    return job === undefined ? undefined : { ...job, errors: [...job.errors] };
  }

  waiting(queue: string): Job[] {
    return (this.lines.get(queue) ?? []).map((job) => ({ ...job, errors: [...job.errors] }));
  }

  deadLetters(query?: DeadLetterQuery): DeadLetterPage {
    const matches = query?.queue === undefined ? this.dlq : this.dlq.filter((entry) => entry.queue === query.queue);
    const offset = query?.offset ?? 0;
    const limit = query?.limit ?? 50;
    return { total: matches.length, items: matches.slice(offset, offset + limit).map((entry) => structuredClone(entry)) };
  }

  async retry(id: string): Promise<Job | null> {
    const entry = this.dlq.find((candidate) => candidate.id === id);
    if (entry === undefined) return null;
    if (this.audit) await this.audit({ action: "retry", id, queue: entry.queue, at: this.clock.now() });
    // Re-check after the await, and remove in the same synchronous step: only
    // the caller that finds this very entry still listed puts the job back.
    const index = this.dlq.indexOf(entry);
    if (index === -1) return null;
    this.dlq.splice(index, 1);
    const job = this.jobs.get(id)!;
    job.attempts = 0;
    job.state = "waiting";
    this.line(job.queue).push(job);
    return snapshot(job);
  }
}
