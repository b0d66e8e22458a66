// An in-memory export queue with one worker, driven by an injected clock. Each
// item of a job takes 100 ms; every finished item is a partial result that
// subscribers hear about at once. Ids are sequential (job-1, job-2, ...).
import type { Clock } from "#kit/clock.ts";
import { createRandom, randomInt } from "#kit/random.ts";

export type JobStatus = "queued" | "running" | "completed" | "failed";

export interface Job {
  id: string;
  status: JobStatus;
  items: string[];
  results: unknown[];
}

export type JobEvent = { type: "result"; index: number; value: unknown } | { type: "end"; status: "completed" | "failed" };

export class ExportQueue {
  readonly #clock: Clock;
  readonly #random = createRandom();
  readonly #jobs = new Map<string, Job>();
  readonly #waiting: Job[] = [];
  readonly #listeners = new Map<string, Set<(event: JobEvent) => void>>();
  #busy = false;
  #nextId = 1;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  enqueue(items: string[]): Job {
    const job: Job = { id: `job-${this.#nextId++}`, status: "queued", items, results: [] };
    this.#jobs.set(job.id, job);
    this.#waiting.push(job);
    // The worker picks it up on its next turn, not inside the HTTP request.
    this.#clock.setTimeout(() => void this.#work(), 0);
    return job;
  }

  get(id: string): Job | undefined {
    return this.#jobs.get(id);
  }

  subscribe(id: string, listener: (event: JobEvent) => void): () => void {
    const set = this.#listeners.get(id) ?? new Set();
    this.#listeners.set(id, set);
    set.add(listener);
    return () => void set.delete(listener);
  }

  subscribers(id: string): number {
    return this.#listeners.get(id)?.size ?? 0;
  }

  async #work(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    for (let job = this.#waiting.shift(); job; job = this.#waiting.shift()) {
      job.status = "running";
      for (const file of job.items) {
        await this.#clock.sleep(100);
        const value = { file, rows: randomInt(this.#random, 100, 999) };
        job.results.push(value);
        this.#emit(job.id, { type: "result", index: job.results.length - 1, value });
      }
      job.status = "completed";
      this.#emit(job.id, { type: "end", status: "completed" });
    }
    this.#busy = false;
  }

  #emit(id: string, event: JobEvent): void {
    for (const listener of [...(this.#listeners.get(id) ?? [])]) listener(event);
  }
}
