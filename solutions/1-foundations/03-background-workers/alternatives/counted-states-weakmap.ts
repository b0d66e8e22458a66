// queuecraft:hidden-or-solution — never in a student edition
// Alternative: stats() counts the jobs' states on demand (no counters), the line is an id array with a head index, the Worker reaches the queue's internals through a module-private WeakMap, and handlers are copied into a Map; outcomes are recorded with promise callbacks instead of try/await.

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

interface Internals {
  jobs: Map<string, JobView>;
  line: string[];
  head: number;
}

const internals = new WeakMap<JobQueue, Internals>();

export class JobQueue {
  constructor() {
    internals.set(this, { jobs: new Map(), line: [], head: 0 });
  }

  add(type: string, data: unknown, options?: AddOptions): string {
    const max = options?.maxAttempts === undefined ? 1 : options.maxAttempts;
    if (typeof max !== "number" || !Number.isInteger(max) || max < 1) {
      throw new RangeError(`maxAttempts must be an integer of at least 1, got ${String(max)}`);
    }
    const inner = internals.get(this)!;
    const id = `j${inner.jobs.size + 1}`;
    inner.jobs.set(id, { id, type, data, state: "waiting", attempts: 0, maxAttempts: max });
    inner.line.push(id);
    return id;
  }

  getJob(id: string): JobView | undefined {
    const job = internals.get(this)!.jobs.get(id);
    return job === undefined ? undefined : Object.assign({}, job);
  }

  stats(): QueueStats {
    const out: QueueStats = { enqueued: 0, waiting: 0, active: 0, completed: 0, failed: 0 };
    for (const job of internals.get(this)!.jobs.values()) {
      out.enqueued += 1;
      out[job.state] += 1;
    }
    return out;
  }
}

export interface JobContext {
  id: string;
  type: string;
  attempt: number;
}

export type Handler = (data: unknown, job: JobContext) => unknown;

export class Worker {
  private readonly inner: Internals;
  private readonly handlers = new Map<string, Handler>();

  constructor(queue: JobQueue, handlers: Record<string, Handler>) {
    this.inner = internals.get(queue)!;
    for (const type of Object.keys(handlers)) this.handlers.set(type, handlers[type]!);
    for (const type of Object.getOwnPropertyNames(handlers)) {
      if (!this.handlers.has(type)) this.handlers.set(type, (handlers as Record<string, Handler>)[type]!);
    }
  }

  processNext(): Promise<boolean> {
    const inner = this.inner;
    if (inner.head >= inner.line.length) return Promise.resolve(false);
    const job = inner.jobs.get(inner.line[inner.head++]!)!;
    if (inner.head > 1024 && inner.head * 2 > inner.line.length) {
      inner.line = inner.line.slice(inner.head);
      inner.head = 0;
    }
    job.attempts += 1;
    job.state = "active";

    const handler = this.handlers.get(job.type);
    if (typeof handler !== "function") {
      job.error = `job type "${job.type}" has no handler`;
      job.state = "failed";
      return Promise.resolve(true);
    }

    return new Promise<unknown>((resolve) => resolve(handler(job.data, { id: job.id, type: job.type, attempt: job.attempts }))).then(
      (result) => {
        job.result = result;
        job.state = "completed";
        return true;
      },
      (reason: unknown) => {
        job.error = reason instanceof Error ? reason.message : `${String(reason)}`;
        if (job.attempts < job.maxAttempts) {
          job.state = "waiting";
          inner.line.push(job.id);
        } else {
          job.state = "failed";
        }
        return true;
      },
    );
  }

  async drain(): Promise<number> {
    let ran = 0;
    for (;;) {
      if (!(await this.processNext())) return ran;
      ran += 1;
    }
  }
}
