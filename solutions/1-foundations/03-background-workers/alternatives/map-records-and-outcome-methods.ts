// queuecraft:hidden-or-solution — never in a student edition
// Records in a Map and a waiting list of ids; the queue exposes claim/finish/retryOrFail methods the Worker calls, stats() counts states on demand, and the Worker looks handlers up with Object.hasOwn.
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

interface JobRecord {
  id: string;
  type: string;
  data: unknown;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  result?: unknown;
  error?: string;
  hasResult: boolean;
  hasError: boolean;
}

export class JobQueue {
  readonly #records = new Map<string, JobRecord>();
  readonly #line: string[] = [];
  #serial = 0;

  add(type: string, data: unknown, options?: AddOptions): string {
    const maxAttempts = options?.maxAttempts ?? 1;
    if (typeof maxAttempts !== "number" || !Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be a whole number >= 1, got ${String(maxAttempts)}`);
    }
    this.#serial += 1;
    const id = String(this.#serial);
    this.#records.set(id, { id, type, data, state: "waiting", attempts: 0, maxAttempts, hasResult: false, hasError: false });
    this.#line.push(id);
    return id;
  }

  getJob(id: string): JobView | undefined {
    const record = this.#records.get(id);
    if (!record) return undefined;
    const view: JobView = {
      id: record.id,
      type: record.type,
      data: record.data,
      state: record.state,
      attempts: record.attempts,
      maxAttempts: record.maxAttempts,
    };
    if (record.hasResult) view.result = record.result;
    if (record.hasError) view.error = record.error;
    return view;
  }

  stats(): QueueStats {
    const stats: QueueStats = { enqueued: this.#records.size, waiting: 0, active: 0, completed: 0, failed: 0 };
    for (const record of this.#records.values()) stats[record.state] += 1;
    return stats;
  }

  /** Takes the oldest waiting job: active, one more attempt. */
  claim(): { id: string; type: string; data: unknown; attempt: number } | undefined {
    const id = this.#line.shift();
    if (id === undefined) return undefined;
    const record = this.#records.get(id)!;
    record.state = "active";
    record.attempts += 1;
    return { id, type: record.type, data: record.data, attempt: record.attempts };
  }

  finish(id: string, result: unknown): void {
    const record = this.#records.get(id)!;
    record.state = "completed";
    record.result = result;
    record.hasResult = true;
  }

  /** Records the failure; retries at the back of the line when attempts remain and `retryable`. */
  retryOrFail(id: string, message: string, retryable: boolean): void {
    const record = this.#records.get(id)!;
    record.error = message;
    record.hasError = true;
    if (retryable && record.attempts < record.maxAttempts) {
      record.state = "waiting";
      this.#line.push(id);
    } else {
      record.state = "failed";
    }
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
  readonly #queue: JobQueue;
  readonly #handlers: Record<string, Handler>;

  constructor(queue: JobQueue, handlers: Record<string, Handler>) {
    this.#queue = queue;
    this.#handlers = handlers;
  }

  async processNext(): Promise<boolean> {
    const job = this.#queue.claim();
    if (!job) return false;
    if (!Object.hasOwn(this.#handlers, job.type)) {
      this.#queue.retryOrFail(job.id, `no handler for job type "${job.type}"`, false);
      return true;
    }
    const handler = this.#handlers[job.type]!;
    try {
      const result = await handler(job.data, { id: job.id, type: job.type, attempt: job.attempt });
      this.#queue.finish(job.id, result);
    } catch (error) {
      let message: string;
      try {
        message = messageOf(error);
      } catch {
        message = "the handler failed with a value that cannot be turned into a string";
      }
      this.#queue.retryOrFail(job.id, message, true);
    }
    return true;
  }

  async drain(): Promise<number> {
    let runs = 0;
    while (await this.processNext()) runs += 1;
    return runs;
  }
}
