// Challenge: a POST /reports handler that validates, enqueues and answers 202.
//
// No framework: a handler is a plain async function from a request-like object
// to a response-like object, so it can be tested without a server. The queue is
// injected, so the handler never knows (or waits for) who runs the job.

/** The parts of an HTTP request the handler needs, already parsed. */
export interface RequestLike {
  /** "GET", "POST", ... (upper case). */
  method: string;
  /** The path without query string, e.g. "/reports". */
  path: string;
  headers?: Record<string, string>;
  /** The parsed JSON body. The client controls it: it can be anything at all. */
  body: unknown;
}

/** What the handler answers. Header names are compared case-insensitively. */
export interface ResponseLike {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The validated job data: exactly these three fields, nothing else from the body. */
export interface ReportRequest {
  /** A non-empty string of at most 64 characters. */
  accountId: string;
  /** Exactly "csv" or "pdf". */
  format: "csv" | "pdf";
  /** "YYYY-MM": four digits, a dash, a month from 01 to 12, e.g. "2024-03". */
  month: string;
}

/** What the queue hands back once the job is stored. */
export interface EnqueuedJob {
  id: string;
  /**
   * Settles when a worker has finished the job (like BullMQ's
   * job.waitUntilFinished()). A request handler must NOT wait for it.
   */
  waitUntilFinished(): Promise<unknown>;
}

export interface ReportQueue {
  /** Stores a job for a worker to run later. Rejects if the queue is unavailable. */
  enqueue(type: "generate-report", data: ReportRequest): Promise<EnqueuedJob>;
}

/** Body of a 202 answer. */
export interface AcceptedBody {
  jobId: string;
  status: "queued";
  /** Where to ask about the job: "/jobs/" + jobId. Equal to the Location header. */
  statusUrl: string;
}

/** Body of every error answer (400, 404, 405, 503). */
export interface ErrorBody {
  /** A sentence a developer can act on, e.g. 'format must be "csv" or "pdf"'. */
  error: string;
  /** For 400: the offending field ("accountId", "format", "month"), or "body" if the body is not a JSON object. */
  field?: string;
}

/**
 * Returns the handler for POST /reports.
 *
 * Routing, checked in this order:
 * - [C1] A path other than exactly "/reports" ("/reports/1", "/reportsX",
 *   "/Reports", "/" ...): 404 with an ErrorBody, whatever the method.
 * - [C2] "/reports" with a method other than POST (GET, PUT, DELETE, PATCH,
 *   HEAD, OPTIONS ...): 405 with an `Allow: POST` header and an ErrorBody.
 *
 * Validation of POST /reports, before anything is enqueued. Check types with
 * `typeof`, never by coercing: a value of the wrong type is invalid even when
 * String(value) would look right (12345, ["pdf"], { toString() {...} }).
 * - [C3] A body that is not a plain JSON object (null, undefined, an array, a
 *   string, a number, a boolean): 400 with `field: "body"`.
 * - [C4] accountId must be a string of 1 to 64 characters (64 is allowed, 65
 *   is not), counted as `accountId.length` counts them, not in UTF-8 bytes:
 *   "é" and "日" are one character each. Any characters count, spaces
 *   included: it is not trimmed.
 *   Otherwise (missing, "", too long, not a string): 400 with `field: "accountId"`.
 * - [C5] format must be exactly "csv" or "pdf", case-sensitive ("PDF",
 *   "toString", "constructor" are not formats). Otherwise: 400 with `field: "format"`.
 * - [C6] month must be a string "YYYY-MM": exactly four ASCII digits, a dash,
 *   and a month from 01 to 12, nothing before or after ("2024-13", "2024-00",
 *   "2024-3", "2024-03 " are invalid). Otherwise: 400 with `field: "month"`.
 * - [C7] When several fields are invalid, the 400's `field` names any one of
 *   them. A 400 (like a 404 or 405) enqueues nothing.
 *
 * A valid POST /reports:
 * - [C8] enqueues exactly ONE job of type "generate-report" whose data is
 *   exactly { accountId, format, month }, copied from the body: unknown body
 *   fields (even "__proto__" or "constructor") are dropped, not refused, and
 *   only own fields of the body count. Every valid request gets its own job.
 * - [C9] then answers 202 at once, without waiting for the job to finish, with
 *   a `Location` header "/jobs/<id>" (<id> is the id the queue returned) and an
 *   AcceptedBody { jobId: <id>, status: "queued", statusUrl: "/jobs/<id>" }.
 * - [C10] If enqueue rejects: 503 with an ErrorBody and a `Retry-After` header
 *   (seconds), and no `Location`: the job was not accepted, so never 202.
 *
 * - [C11] Every response (202, 400, 404, 405, 503) has a
 *   `Content-Type: application/json` header, and every error response has an
 *   ErrorBody with a non-empty `error` message.
 */
export function createReportHandler(queue: ReportQueue): (request: RequestLike) => Promise<ResponseLike> {
  throw new Error("TODO: return an async function that validates the request, enqueues the job and answers 202");
}
