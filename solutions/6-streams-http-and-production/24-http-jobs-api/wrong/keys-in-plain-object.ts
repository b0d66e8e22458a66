// queuecraft:hidden-or-solution — never in a student edition
// Keeps the Idempotency-Keys in a plain object, so the key "constructor" (or "toString") is found on first use as an inherited entry and answered 409, and "__proto__" replaces the map's prototype instead of being stored.
import express from "express";
import type { Express, Request, Response, NextFunction } from "express";
import type { Clock } from "#kit/clock.ts";

export type JobStatus = "queued" | "running" | "completed" | "failed";
export interface ExportRequest { items: string[] }
export interface JobSnapshot {
  id: string; status: JobStatus; done: number; total: number;
  results: readonly unknown[]; error?: string;
}
export type JobEvent =
  | { type: "result"; index: number; value: unknown }
  | { type: "end"; status: "completed" | "failed"; error?: string };
export interface JobQueue {
  enqueue(request: ExportRequest): Promise<JobSnapshot>;
  get(id: string): JobSnapshot | undefined;
  subscribe(id: string, listener: (event: JobEvent) => void): () => void;
}
export interface JobsApiOptions { queue: JobQueue; clock: Clock; idempotencyTtlMs?: number; retryAfterSeconds?: number }
export interface JobsApi { app: Express; beginShutdown(): void; idempotencyKeyCount(): number }

interface KeyRecord { fingerprint: string; firstUse: number; jobId?: string; status?: JobStatus }

function isExportRequest(body: unknown): body is ExportRequest {
  if (typeof body !== "object" || body === null) return false;
  const items = (body as { items?: unknown }).items;
  return Array.isArray(items) && items.length > 0 && items.every((item) => typeof item === "string");
}

export function createJobsApi(options: JobsApiOptions): JobsApi {
  const { queue, clock } = options;
  const ttl = options.idempotencyTtlMs ?? 24 * 60 * 60 * 1000;
  const retryAfter = options.retryAfterSeconds ?? 5;
  const keys: Record<string, KeyRecord> = {};
  const openStreams = new Set<() => void>();
  let shuttingDown = false;

  const expired = (record: KeyRecord, now: number) => now >= record.firstUse + ttl;
  function sweep(now: number): void {
    for (const [key, record] of Object.entries(keys)) {
      if (!expired(record, now)) break;
      if (record.jobId !== undefined) delete keys[key];
    }
  }
  const accepted = (res: Response, id: string, status: JobStatus) =>
    res.status(202).location(`/jobs/${id}`).json({ id, status });

  const app = express();
  app.use(express.json());

  app.post("/jobs", async (req: Request, res: Response) => {
    if (shuttingDown) {
      res.status(503).set("Retry-After", String(retryAfter)).json({ error: "shutting down, retry later" });
      return;
    }
    if (!isExportRequest(req.body)) {
      res.status(400).json({ error: "body must be { items: [one or more strings] }" });
      return;
    }
    const items = req.body.items.slice();
    const key = req.get("Idempotency-Key");
    if (key === undefined) {
      try {
        const job = await queue.enqueue({ items });
        accepted(res, job.id, job.status);
      } catch (error) {
        res.status(500).json({ error: error instanceof Error ? error.message : "enqueue failed" });
      }
      return;
    }
    if (key === "") {
      res.status(400).json({ error: "Idempotency-Key must not be empty" });
      return;
    }
    const now = clock.now();
    sweep(now);
    const fingerprint = JSON.stringify(items);
    const existing = keys[key];
    if (existing) {
      if (existing.jobId === undefined) {
        res.status(409).json({ error: "a request with this Idempotency-Key is still in progress" });
        return;
      }
      if (expired(existing, now)) {
        delete keys[key];
      } else if (existing.fingerprint !== fingerprint) {
        res.status(422).json({ error: "Idempotency-Key reused with a different body" });
        return;
      } else {
        accepted(res, existing.jobId, existing.status ?? "queued");
        return;
      }
    }
    const record: KeyRecord = { fingerprint, firstUse: now };
    keys[key] = record;
    try {
      const job = await queue.enqueue({ items });
      record.jobId = job.id;
      record.status = job.status;
      accepted(res, job.id, job.status);
    } catch (error) {
      if (keys[key] === record) delete keys[key];
      res.status(500).json({ error: error instanceof Error ? error.message : "enqueue failed" });
    }
  });

  app.get("/jobs/:id", (req: Request, res: Response) => {
    const job = queue.get(String(req.params.id));
    if (!job) {
      res.status(404).json({ error: "no such job" });
      return;
    }
    const body: Record<string, unknown> = { id: job.id, status: job.status, progress: { done: job.done, total: job.total } };
    if (job.error !== undefined) body.error = job.error;
    res.status(200).json(body);
  });

  app.get("/jobs/:id/results", (req: Request, res: Response) => {
    const id = String(req.params.id);
    const job = queue.get(id);
    if (!job) {
      res.status(404).json({ error: "no such job" });
      return;
    }
    const line = (value: unknown) => res.write(`${JSON.stringify(value)}\n`);
    const endLine = (status: "completed" | "failed", error: string | undefined) =>
      line(error === undefined ? { type: "end", status } : { type: "end", status, error });
    res.status(200).set("Content-Type", "application/x-ndjson");
    job.results.forEach((value, index) => line({ type: "result", index, value }));
    if (job.status === "completed" || job.status === "failed") {
      endLine(job.status, job.error);
      res.end();
      return;
    }
    if (shuttingDown) {
      line({ type: "shutdown" });
      res.end();
      return;
    }
    let sent = job.results.length;
    let closed = false;
    let unsubscribe: (() => void) | undefined;
    const close = () => {
      if (closed) return;
      closed = true;
      openStreams.delete(shutdownStream);
      unsubscribe?.();
      if (!res.writableEnded) res.end();
    };
    const shutdownStream = () => {
      if (closed) return;
      line({ type: "shutdown" });
      close();
    };
    openStreams.add(shutdownStream);
    res.on("close", close);
    unsubscribe = queue.subscribe(id, (event) => {
      if (closed) return;
      if (event.type === "result") {
        if (event.index < sent) return;
        sent = event.index + 1;
        line(event);
      } else {
        endLine(event.status, event.error);
        close();
      }
    });
    if (closed) unsubscribe();
    else res.flushHeaders();
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status ?? 500;
    res.status(status >= 400 && status < 600 ? status : 500).json({ error: err instanceof Error ? err.message : "error" });
  });

  return {
    app,
    beginShutdown() {
      if (shuttingDown) return;
      shuttingDown = true;
      for (const stop of [...openStreams]) stop();
    },
    idempotencyKeyCount: () => Object.keys(keys).length,
  };
}
