// queuecraft:hidden-or-solution — never in a student edition
// Alternative: keys expire through a clock timer each (no sweep), a results stream subscribes BEFORE reading the job and buffers events until the snapshot is written, routes live on an express.Router, and each open stream is an object in a Set.
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { Clock, TimerId } from "#kit/clock.ts";

export type JobStatus = "queued" | "running" | "completed" | "failed";

export interface ExportRequest {
  items: string[];
}

export interface JobSnapshot {
  id: string;
  status: JobStatus;
  done: number;
  total: number;
  results: readonly unknown[];
  error?: string;
}

export type JobEvent =
  | { type: "result"; index: number; value: unknown }
  | { type: "end"; status: "completed" | "failed"; error?: string };

export interface JobQueue {
  enqueue(request: ExportRequest): Promise<JobSnapshot>;
  get(id: string): JobSnapshot | undefined;
  subscribe(id: string, listener: (event: JobEvent) => void): () => void;
}

export interface JobsApiOptions {
  queue: JobQueue;
  clock: Clock;
  idempotencyTtlMs?: number;
  retryAfterSeconds?: number;
}

export interface JobsApi {
  app: Express;
  beginShutdown(): void;
  idempotencyKeyCount(): number;
}

type KeyEntry = { state: "pending"; body: string; since: number } | { state: "done"; body: string; since: number; jobId: string; timer: TimerId | null };

class KeyStore {
  private readonly entries = new Map<string, KeyEntry>();
  constructor(private readonly clock: Clock, private readonly ttlMs: number) {}

  get size(): number {
    return this.entries.size;
  }

  lookup(key: string): KeyEntry | undefined {
    const entry = this.entries.get(key);
    if (entry?.state === "done" && this.clock.now() - entry.since >= this.ttlMs) {
      this.forget(key);
      return undefined;
    }
    return entry;
  }

  claim(key: string, body: string): void {
    this.entries.set(key, { state: "pending", body, since: this.clock.now() });
  }

  settle(key: string, jobId: string): void {
    const entry = this.entries.get(key);
    if (!entry || entry.state !== "pending") return;
    const left = entry.since + this.ttlMs - this.clock.now();
    if (left <= 0) {
      this.entries.delete(key);
      return;
    }
    const timer = this.clock.setTimeout(() => {
      const current = this.entries.get(key);
      if (current?.state === "done" && current.jobId === jobId) this.entries.delete(key);
    }, left);
    this.entries.set(key, { state: "done", body: entry.body, since: entry.since, jobId, timer });
  }

  forget(key: string): void {
    const entry = this.entries.get(key);
    if (entry?.state === "done" && entry.timer !== null) this.clock.clearTimeout(entry.timer);
    this.entries.delete(key);
  }
}

function validItems(body: unknown): string[] | null {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return null;
  const items: unknown = Reflect.get(body, "items");
  if (!Array.isArray(items) || items.length < 1) return null;
  for (const item of items) if (typeof item !== "string") return null;
  return items as string[];
}

const ndjson = (value: unknown) => JSON.stringify(value) + "\n";

export function createJobsApi(options: JobsApiOptions): JobsApi {
  const queue = options.queue;
  const keys = new KeyStore(options.clock, options.idempotencyTtlMs === undefined ? 86_400_000 : options.idempotencyTtlMs);
  const retryAfter = options.retryAfterSeconds === undefined ? 5 : options.retryAfterSeconds;
  const streams = new Set<{ stop(): void }>();
  let draining = false;

  const router = express.Router();

  const reply202 = (res: Response, id: string, status: JobStatus) => {
    res.status(202).set("Location", `/jobs/${id}`).json({ id, status });
  };

  router.post("/jobs", async (req: Request, res: Response) => {
    if (draining) {
      res.status(503).set("Retry-After", `${retryAfter}`).json({ error: "the server is shutting down" });
      return;
    }
    const items = validItems(req.body);
    if (items === null) {
      res.status(400).json({ error: "body must be { items: string[] } with at least one item" });
      return;
    }
    const header = req.headers["idempotency-key"];
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined) {
      const job = await queue.enqueue({ items });
      reply202(res, job.id, job.status);
      return;
    }
    if (key.length === 0) {
      res.status(400).json({ error: "empty Idempotency-Key" });
      return;
    }
    const body = JSON.stringify(items);
    const entry = keys.lookup(key);
    if (entry !== undefined) {
      if (entry.body !== body) res.status(422).json({ error: "Idempotency-Key reused with another body" });
      else if (entry.state === "pending") res.status(409).json({ error: "the first request with this key is in progress" });
      else reply202(res, entry.jobId, queue.get(entry.jobId)?.status ?? "queued");
      return;
    }
    keys.claim(key, body);
    let job: JobSnapshot;
    try {
      job = await queue.enqueue({ items });
    } catch (error) {
      keys.forget(key);
      throw error;
    }
    keys.settle(key, job.id);
    reply202(res, job.id, job.status);
  });

  router.get("/jobs/:id", (req: Request<{ id: string }>, res: Response) => {
    const job = queue.get(req.params.id);
    if (job === undefined) {
      res.status(404).json({ error: "unknown job" });
      return;
    }
    const body: Record<string, unknown> = { id: job.id, status: job.status, progress: { done: job.done, total: job.total } };
    if (job.error !== undefined) body.error = job.error;
    res.json(body);
  });

  router.get("/jobs/:id/results", (req: Request<{ id: string }>, res: Response) => {
    const id = req.params.id;
    if (queue.get(id) === undefined) {
      res.status(404).json({ error: "unknown job" });
      return;
    }
    // Subscribe first, so nothing can happen unheard between the snapshot and the subscription.
    const early: JobEvent[] = [];
    let live = false;
    let sent = 0;
    let finished = false;
    const handle = (event: JobEvent) => {
      if (finished) return;
      if (!live) {
        early.push(event);
        return;
      }
      if (event.type === "result") {
        if (event.index >= sent) {
          res.write(ndjson(event));
          sent = event.index + 1;
        }
        return;
      }
      res.write(ndjson(event));
      stop();
    };
    const unsubscribe = queue.subscribe(id, handle);
    const entry = {
      stop: () => {
        if (finished) return;
        res.write(ndjson({ type: "shutdown" }));
        stop();
      },
    };
    function stop(): void {
      if (finished) return;
      finished = true;
      unsubscribe();
      streams.delete(entry);
      res.end();
    }

    const job = queue.get(id)!;
    res.status(200).type("application/x-ndjson");
    for (const [index, value] of job.results.entries()) res.write(ndjson({ type: "result", index, value }));
    sent = job.results.length;
    if (job.status === "completed" || job.status === "failed") {
      res.write(ndjson(job.error === undefined ? { type: "end", status: job.status } : { type: "end", status: job.status, error: job.error }));
      stop();
      return;
    }
    live = true;
    for (const event of early.splice(0)) handle(event);
    if (finished) return;
    if (draining) {
      entry.stop();
      return;
    }
    streams.add(entry);
    res.flushHeaders();
    res.on("close", stop);
  });

  const app = express();
  app.use(express.json());
  // Placed before the router, this handler sees body-parser's errors only: they keep their 4xx.
  app.use((error: { status?: number; message?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (typeof error.status === "number" && error.status >= 400 && error.status < 500) res.status(error.status).json({ error: String(error.message) });
    else next(error);
  });
  app.use(router);
  // A rejected queue.enqueue() is a server failure whatever status its error carries.
  app.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: "internal error" });
  });

  return {
    app,
    beginShutdown() {
      draining = true;
      for (const stream of [...streams]) stream.stop();
    },
    idempotencyKeyCount: () => keys.size,
  };
}
