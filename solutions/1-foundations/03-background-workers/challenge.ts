// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: one state per job, one place that changes it.
//
// The counts live next to the jobs and only #move() touches them, so a job
// leaving one state always enters another: the sum cannot drift.

export type JobState = "waiting" | "active" | "completed" | "failed";

export interface JobView {
  id: string;
  type: string;
  data: unknown;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  result?: unknown;
  error?: string;
}

export interface QueueStats {
  enqueued: number;
  waiting: number;
  active: number;
  completed: number;
  failed: number;
}

export interface AddOptions {
  maxAttempts?: number;
}

/** The queue's own (mutable) record of a job; the Worker gets these from claim(). */
type JobRecord = JobView;

export class JobQueue {
  #jobs = new Map<string, JobRecord>();
  #line: JobRecord[] = []; // waiting jobs, oldest first
  #counts: Record<JobState, number> = { waiting: 0, active: 0, completed: 0, failed: 0 };
  #enqueued = 0;
  #nextId = 1;

  add(type: string, data: unknown, options: AddOptions = {}): string {
    const maxAttempts = options.maxAttempts ?? 1;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be a whole number >= 1 (total runs, the first included), got ${maxAttempts}`);
    }
    const job: JobRecord = { id: String(this.#nextId++), type, data, state: "waiting", attempts: 0, maxAttempts };
    this.#jobs.set(job.id, job);
    this.#line.push(job);
    this.#counts.waiting++;
    this.#enqueued++;
    return job.id;
  }

  getJob(id: string): JobView | undefined {
    const job = this.#jobs.get(id);
    return job && { ...job };
  }

  stats(): QueueStats {
    return { enqueued: this.#enqueued, ...this.#counts };
  }

  /** Worker side: the oldest waiting job, now active, with its attempt counted. */
  claim(): JobRecord | undefined {
    const job = this.#line.shift();
    if (!job) return undefined;
    job.attempts++;
    this.#move(job, "active");
    return job;
  }

  complete(job: JobRecord, result: unknown): void {
    job.result = result;
    this.#move(job, "completed");
  }

  /** Records a failed attempt; retries it (at the back of the line) if allowed and attempts are left. */
  fail(job: JobRecord, error: string, retryable: boolean): void {
    job.error = error;
    if (retryable && job.attempts < job.maxAttempts) {
      this.#move(job, "waiting");
      this.#line.push(job);
    } else {
      this.#move(job, "failed");
    }
  }

  #move(job: JobRecord, to: JobState): void {
    this.#counts[job.state]--;
    this.#counts[to]++;
    job.state = to;
  }
}

export interface JobContext {
  id: string;
  type: string;
  attempt: number;
}

export type Handler = (data: unknown, job: JobContext) => unknown;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class Worker {
  #queue: JobQueue;
  #handlers: Record<string, Handler>;

  constructor(queue: JobQueue, handlers: Record<string, Handler>) {
    this.#queue = queue;
    this.#handlers = handlers;
  }

  async processNext(): Promise<boolean> {
    const job = this.#queue.claim();
    if (!job) return false;

    // Own properties only: a job of type "toString" must not find Object.prototype.toString.
    const handler = Object.hasOwn(this.#handlers, job.type) ? this.#handlers[job.type] : undefined;
    if (typeof handler !== "function") {
      this.#queue.fail(job, `no handler for job type "${job.type}"`, false);
      return true;
    }

    try {
      const result = await handler(job.data, { id: job.id, type: job.type, attempt: job.attempts });
      this.#queue.complete(job, result);
    } catch (error) {
      this.#queue.fail(job, messageOf(error), true);
    }
    return true;
  }

  async drain(): Promise<number> {
    let attempts = 0;
    while (await this.processNext()) attempts++;
    return attempts;
  }
}
