// Challenge: an HTTP jobs API on Express 5.
//
// Clients submit exports, get 202 + Location at once, poll the status, stream
// partial results as NDJSON, and may safely retry a POST with an
// Idempotency-Key. The queue and the clock are injected, so the hidden tests
// can drive jobs by hand and jump past the key's expiry without waiting.

import type { Express } from "express";
import type { Clock } from "#kit/clock.ts";

export type JobStatus = "queued" | "running" | "completed" | "failed";

/** The validated body of POST /jobs. */
export interface ExportRequest {
  items: string[];
}

/** The queue's view of one job, as the API reads it. */
export interface JobSnapshot {
  id: string;
  status: JobStatus;
  /** Items processed so far, out of `total`. */
  done: number;
  total: number;
  /** Partial results so far, in order. */
  results: readonly unknown[];
  error?: string;
}

/** What a subscriber hears about one job: each new result, then one "end". */
export type JobEvent =
  | { type: "result"; index: number; value: unknown }
  | { type: "end"; status: "completed" | "failed"; error?: string };

export interface JobQueue {
  /** Stores a new job (status "queued") and returns it; may take a while (a database write). */
  enqueue(request: ExportRequest): Promise<JobSnapshot>;
  get(id: string): JobSnapshot | undefined;
  /** Calls `listener` for each later event of the job; returns the unsubscribe function. */
  subscribe(id: string, listener: (event: JobEvent) => void): () => void;
}

export interface JobsApiOptions {
  queue: JobQueue;
  /** Used for the Idempotency-Key expiry. */
  clock: Clock;
  /** How long an Idempotency-Key is remembered, from its first use. Default 24 h. */
  idempotencyTtlMs?: number;
  /** The Retry-After value (seconds) sent with 503 while shutting down. Default 5. */
  retryAfterSeconds?: number;
}

export interface JobsApi {
  app: Express;
  /**
   * Enters shutdown mode: from now on POST /jobs answers 503, and every open
   * results stream gets a last line {"type":"shutdown"} and is ended (so
   * server.close() can complete). GET requests keep working.
   */
  beginShutdown(): void;
}

/**
 * Builds the Express app. All bodies are JSON; every error has a JSON body { error }.
 *
 * POST /jobs with body { "items": [one or more strings] }
 * - Shutting down: 503 with a `Retry-After: <retryAfterSeconds>` header; nothing enqueued.
 * - Invalid body (not that shape, or malformed JSON): 400; nothing enqueued.
 * - Otherwise enqueue and answer at once, never waiting for the job to run:
 *   202, header `Location: /jobs/<id>`, body { id, status }.
 *
 * Idempotency-Key request header (draft-ietf-httpapi-idempotency-key-header):
 * - An empty key: 400.
 * - First use of a key: as above; remember (key -> items, job id) for
 *   `idempotencyTtlMs` on the injected clock, counted from that first use.
 * - Same key, same items, first request done: a replay. 202 again with the same
 *   Location and the same id, and NO second enqueue.
 * - Same key, different items: 422; nothing enqueued.
 * - Same key while the first request with it is still waiting for
 *   queue.enqueue() to resolve: 409; nothing enqueued. (So two concurrent
 *   duplicates can never create two jobs.)
 * - If that first enqueue fails, forget the key, so a retry can succeed.
 * - After the TTL, the key is new again.
 *
 * GET /jobs/:id
 * - 200 { id, status, progress: { done, total } } plus `error` when the job has one;
 *   404 for an unknown id.
 *
 * GET /jobs/:id/results (404 for an unknown id)
 * - 200 with `Content-Type: application/x-ndjson`: exactly one JSON object per line,
 *   every line ending in "\n", no line breaks inside an object.
 * - First a line {"type":"result","index":i,"value":v} for each result the job
 *   already has; then one such line for each new result, sent as it happens
 *   (partial results: do not hold them back until the job ends); when the job
 *   ends, a line {"type":"end","status":"completed"|"failed"} (plus "error") and
 *   the response ends. A job that already ended gets its results and end line at once.
 * - When the client disconnects, unsubscribe from the queue at once.
 */
export function createJobsApi(options: JobsApiOptions): JobsApi {
  throw new Error("TODO: createJobsApi — 202 + Location, Idempotency-Key, status, NDJSON results, 503 while shutting down");
}
