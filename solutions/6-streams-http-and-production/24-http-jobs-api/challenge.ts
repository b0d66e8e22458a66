// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: an Express 5 jobs API with Idempotency-Key support,
// status polling, NDJSON result streams and a shutdown mode.

import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { Clock } from "#kit/clock.ts";

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

interface KeyRecord {
  fingerprint: string;
  storedAt: number;
  /** Undefined while the first request with this key is still enqueueing. */
  jobId?: string;
}

function parseRequest(body: unknown): ExportRequest | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { items } = body as { items?: unknown };
  if (!Array.isArray(items) || items.length === 0) return undefined;
  if (!items.every((item) => typeof item === "string")) return undefined;
  return { items };
}

/** One NDJSON line: JSON.stringify without indentation never emits a raw newline. */
const line = (value: object) => `${JSON.stringify(value)}\n`;

const finishedStatus = (status: JobStatus): status is "completed" | "failed" => status === "completed" || status === "failed";

export function createJobsApi(options: JobsApiOptions): JobsApi {
  const { queue, clock } = options;
  const ttlMs = options.idempotencyTtlMs ?? 24 * 60 * 60 * 1000;
  const retryAfterSeconds = options.retryAfterSeconds ?? 5;
  // In first-use order (a key set again after expiry moves to the end), so the
  // oldest keys are always at the front.
  const keys = new Map<string, KeyRecord>();
  const openStreams = new Set<() => void>(); // each ends one NDJSON stream for shutdown
  let shuttingDown = false;

  const app = express();
  app.use(express.json());
  // Only body-parser's errors (malformed JSON, a body too large...) reach this handler: they keep their 4xx.
  app.use((error: Error & { status?: number }, _req: Request, res: Response, next: NextFunction) => {
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) return next(error);
    res.status(status).json({ error: error.message });
  });

  /** Drops every expired key whose first request is done, so unique keys do not pile up. */
  function forgetExpiredKeys(): void {
    for (const [key, record] of keys) {
      if (clock.now() - record.storedAt < ttlMs) break; // the rest are younger
      if (record.jobId !== undefined) keys.delete(key); // a pending key stays until its enqueue settles
    }
  }

  function accepted(res: Response, job: { id: string; status: JobStatus }): void {
    res.status(202).location(`/jobs/${job.id}`).json({ id: job.id, status: job.status });
  }

  app.post("/jobs", async (req: Request, res: Response) => {
    if (shuttingDown) {
      res.set("Retry-After", String(retryAfterSeconds)).status(503).json({ error: "shutting down: retry later" });
      return;
    }
    const request = parseRequest(req.body);
    if (!request) {
      res.status(400).json({ error: 'expected a JSON body { "items": [one or more strings] }' });
      return;
    }
    const key = req.get("Idempotency-Key");
    if (key === undefined) {
      accepted(res, await queue.enqueue(request));
      return;
    }
    if (key === "") {
      res.status(400).json({ error: "Idempotency-Key must not be empty" });
      return;
    }

    const fingerprint = JSON.stringify(request.items);
    forgetExpiredKeys();
    let record = keys.get(key);
    if (record) {
      if (record.fingerprint !== fingerprint) {
        res.status(422).json({ error: "this Idempotency-Key was already used with a different body" });
      } else if (record.jobId === undefined) {
        res.status(409).json({ error: "a request with this Idempotency-Key is still being processed" });
      } else {
        accepted(res, { id: record.jobId, status: queue.get(record.jobId)?.status ?? "queued" });
      }
      return;
    }

    // Claim the key BEFORE the first await: a concurrent duplicate now sees it.
    record = { fingerprint, storedAt: clock.now() };
    keys.set(key, record);
    try {
      const job = await queue.enqueue(request);
      record.jobId = job.id;
      accepted(res, job);
    } catch (error) {
      keys.delete(key); // nothing was created: the client may retry with the same key
      throw error;
    }
  });

  app.get("/jobs/:id", (req: Request<{ id: string }>, res: Response) => {
    const job = queue.get(req.params.id);
    if (!job) {
      res.status(404).json({ error: `no job ${req.params.id}` });
      return;
    }
    res.json({
      id: job.id,
      status: job.status,
      progress: { done: job.done, total: job.total },
      ...(job.error === undefined ? {} : { error: job.error }),
    });
  });

  app.get("/jobs/:id/results", (req: Request<{ id: string }>, res: Response) => {
    const job = queue.get(req.params.id);
    if (!job) {
      res.status(404).json({ error: `no job ${req.params.id}` });
      return;
    }
    res.status(200).set("Content-Type", "application/x-ndjson");
    const send = (value: object) => res.write(line(value));

    job.results.forEach((value, index) => send({ type: "result", index, value }));
    if (finishedStatus(job.status)) {
      res.end(line({ type: "end", status: job.status, ...(job.error === undefined ? {} : { error: job.error }) }));
      return;
    }
    if (shuttingDown) {
      res.end(line({ type: "shutdown" })); // an open stream would keep server.close() waiting
      return;
    }
    res.flushHeaders(); // the client sees the stream start even before the first result

    let next = job.results.length;
    let closed = false;
    let unsubscribe = () => {};
    const close = () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      openStreams.delete(onShutdown);
      if (!res.writableEnded) res.end();
    };
    const onShutdown = () => {
      send({ type: "shutdown" });
      close();
    };
    unsubscribe = queue.subscribe(job.id, (event) => {
      if (event.type === "result") {
        if (event.index < next) return; // already sent from the snapshot
        next = event.index + 1;
        send(event);
      } else {
        send(event);
        close();
      }
    });
    openStreams.add(onShutdown);
    // Fires when we end the response and when the client goes away first.
    res.on("close", close);
  });

  // Every other error (a rejected queue.enqueue() above all) is the server's fault: 500,
  // whatever `status` the error carries.
  app.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: "internal error" });
  });

  return {
    app,
    beginShutdown() {
      shuttingDown = true;
      for (const end of [...openStreams]) end();
    },
    idempotencyKeyCount: () => keys.size,
  };
}
