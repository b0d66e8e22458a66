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
  /**
   * How long an Idempotency-Key is remembered, from its first use. Default 24 h.
   * An explicit 0 is a TTL of zero (a key is never replayed), not the default.
   */
  idempotencyTtlMs?: number;
  /**
   * The Retry-After value (seconds) sent with 503 while shutting down. Default 5.
   * An explicit 0 is sent as `Retry-After: 0`, not replaced by the default.
   */
  retryAfterSeconds?: number;
}

export interface JobsApi {
  app: Express;
  /** Enters shutdown mode: see "Shutting down" below. */
  beginShutdown(): void;
  /** How many Idempotency-Keys the API holds in memory right now: see "Memory" below. */
  idempotencyKeyCount(): number;
}

/**
 * Builds the Express app. All bodies are JSON; every error (4xx, 5xx) has a
 * JSON body { error }, a non-empty message.
 *
 * POST /jobs with body { "items": [one or more strings] }
 * - [C1] A valid body: enqueue it and answer as soon as enqueue() resolves, never
 *   waiting for the job to run: 202, header `Location: /jobs/<id>`, body { id, status }.
 * - [C2] Invalid body (not that shape, or malformed JSON): 400; nothing enqueued.
 *   The empty string "" is a string like any other: { "items": [""] } is valid.
 * - [C3] Without an Idempotency-Key header, every POST creates a new job, even
 *   with the same body.
 * - [C4] Shutting down (after beginShutdown()): a POST that would create a job
 *   gets 503 with a `Retry-After: <retryAfterSeconds>` header (default 5; an
 *   explicit 0 is sent as "0"); nothing enqueued.
 * - [C5] queue.enqueue() rejects: a 5xx answer with a JSON body { error }, even
 *   when the error carries a 4xx `status` (only a bad request itself is a 4xx).
 *
 * Idempotency-Key request header (draft-ietf-httpapi-idempotency-key-header):
 * - [C6] An empty key: 400; nothing enqueued.
 * - [C7] First use of a key: as above; remember (key -> items, job id). Same key,
 *   same items (the same strings in the same order), first request done: a
 *   replay. 202 again with the same Location and the same id (body { id, status }
 *   as in [C1]), and NO second enqueue, even when the queue has dropped the job
 *   since (queue.get() returns undefined for it).
 * - [C8] Same key, different items (other strings, another order, or the same
 *   text split differently: ["a,b"] is not ["a","b"]): 422; nothing enqueued.
 * - [C9] Same key while the first request with it is still waiting for
 *   queue.enqueue() to resolve, however long that takes: 409; nothing enqueued.
 *   (So two concurrent duplicates can never create two jobs.)
 * - [C10] If that first enqueue fails, forget the key, so a retry can succeed.
 * - [C11] A key is remembered for `idempotencyTtlMs` (default 24 h) on the
 *   injected clock, counted from its first use: a request at first use +
 *   idempotencyTtlMs exactly, or later, finds the key new again. An explicit
 *   TTL of 0 means a key is never replayed (but [C9] still holds).
 * - [C12] Keys are any non-empty strings, used as received (never trimmed:
 *   "\u00a0" is a key): "__proto__", "constructor" and "toString" are keys like the others.
 *
 * Memory
 * - [C13] Keys must not pile up: a key whose TTL has passed is dropped from
 *   memory at the latest when the next POST /jobs with an Idempotency-Key
 *   arrives, whatever key that one carries and whatever its answer (a new job,
 *   a replay, 409 or 422), even when an older key is still enqueueing (that
 *   one stays until its enqueue settles). idempotencyKeyCount() returns how
 *   many keys are held (those whose first request is still enqueueing
 *   included): after a quiet spell longer than the TTL, one keyed POST leaves
 *   exactly one key in memory.
 *
 * GET /jobs/:id
 * - [C14] 200 { id, status, progress: { done, total } } plus `error` whenever
 *   the job has one (even an empty string); 404 for an unknown id.
 *
 * GET /jobs/:id/results
 * - [C15] An unknown id: 404 with a JSON body, at once (never a stream that
 *   waits for a job that does not exist).
 * - [C16] 200 with `Content-Type: application/x-ndjson`: exactly one JSON object
 *   per line, every line ending in "\n", no line breaks inside an object.
 * - [C17] First a line {"type":"result","index":i,"value":v} for each result the
 *   job already has; then one such line for each new result, sent as it happens
 *   (partial results: do not hold them back until the job ends). Every index
 *   appears exactly once, in order, even when results arrive while the request
 *   is being set up: nothing may be lost or sent twice between reading the job
 *   and subscribing to it. The queue's events may lag its state (they arrive
 *   once each and in order, but a result the job already had when it was read
 *   can still arrive as an event after subscribing): send it once.
 * - [C18] When the job ends: a line {"type":"end","status":"completed"|"failed"},
 *   plus "error" whenever the job has one, then the response ends and the
 *   stream unsubscribes. A job that already ended gets its results and end line
 *   at once. An end that happens while the request is being set up is not lost.
 * - [C19] When the client disconnects, unsubscribe from the queue at once.
 *
 * Shutting down: beginShutdown()
 * - [C20] From then on POST /jobs answers 503 as described above, and GET requests keep
 *   working. Calling beginShutdown() again changes nothing.
 * - [C21] Every open results stream gets a last line {"type":"shutdown"}, is
 *   unsubscribed from the queue and is ended, so server.close() can complete.
 *   A stream that already ended (its job ended, its client left) is forgotten
 *   when it ends: beginShutdown() writes nothing into it.
 * - [C22] A results request that arrives after beginShutdown() gets the results
 *   the job already has, then its end line (job ended) or a {"type":"shutdown"}
 *   line (job still running), and the response ends at once: it never stays
 *   open or subscribed.
 */
export function createJobsApi(options: JobsApiOptions): JobsApi {
  throw new Error("TODO: createJobsApi — 202 + Location, Idempotency-Key, status, NDJSON results, 503 while shutting down");
}
