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
 * - A path other than "/reports": 404 with an ErrorBody.
 * - "/reports" with a method other than POST: 405 with an `Allow: POST` header and an ErrorBody.
 * - POST /reports whose body is not a plain JSON object (null, an array, a
 *   string...) or whose accountId, format or month breaks the rules of
 *   ReportRequest: 400 with an ErrorBody whose `field` names an offending field
 *   (any one of them when several are wrong). Nothing is enqueued.
 * - A valid POST /reports: enqueue ONE job of type "generate-report" whose data
 *   is exactly { accountId, format, month } (unknown body fields are dropped),
 *   then answer 202 at once, without waiting for the job, with a `Location`
 *   header "/jobs/<id>" and an AcceptedBody.
 * - If enqueue rejects: 503 with an ErrorBody (the job was not accepted, so
 *   the answer must not be 202).
 *
 * Every response has a `Content-Type: application/json` header.
 */
export function createReportHandler(queue: ReportQueue): (request: RequestLike) => Promise<ResponseLike> {
  throw new Error("TODO: return an async function that validates the request, enqueues the job and answers 202");
}
