// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: validate, enqueue, answer 202 with a status URL.

export interface RequestLike {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body: unknown;
}

export interface ResponseLike {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface ReportRequest {
  accountId: string;
  format: "csv" | "pdf";
  month: string;
}

export interface EnqueuedJob {
  id: string;
  waitUntilFinished(): Promise<unknown>;
}

export interface ReportQueue {
  enqueue(type: "generate-report", data: ReportRequest): Promise<EnqueuedJob>;
}

export interface AcceptedBody {
  jobId: string;
  status: "queued";
  statusUrl: string;
}

export interface ErrorBody {
  error: string;
  field?: string;
}

const JSON_HEADERS = { "Content-Type": "application/json" };
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const FORMATS: ReadonlySet<unknown> = new Set(["csv", "pdf"]);

type Validation = { ok: true; data: ReportRequest } | { ok: false; field: string; error: string };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks the untrusted body and copies out exactly the fields the job needs. */
function validate(body: unknown): Validation {
  if (!isPlainObject(body)) return { ok: false, field: "body", error: "the body must be a JSON object" };
  const { accountId, format, month } = body;
  if (typeof accountId !== "string" || accountId.length === 0 || accountId.length > 64) {
    return { ok: false, field: "accountId", error: "accountId must be a non-empty string of at most 64 characters" };
  }
  if (!FORMATS.has(format)) {
    return { ok: false, field: "format", error: 'format must be "csv" or "pdf"' };
  }
  if (typeof month !== "string" || !MONTH.test(month)) {
    return { ok: false, field: "month", error: 'month must look like "2024-03" (YYYY-MM, month 01-12)' };
  }
  return { ok: true, data: { accountId, format: format as ReportRequest["format"], month } };
}

function json(status: number, body: AcceptedBody | ErrorBody, headers: Record<string, string> = {}): ResponseLike {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body };
}

export function createReportHandler(queue: ReportQueue): (request: RequestLike) => Promise<ResponseLike> {
  return async (request) => {
    if (request.path !== "/reports") return json(404, { error: `no route for ${request.path}` });
    if (request.method !== "POST") {
      return json(405, { error: `${request.method} is not allowed on /reports; use POST` }, { Allow: "POST" });
    }

    const checked = validate(request.body);
    if (!checked.ok) return json(400, { error: checked.error, field: checked.field });

    let job: EnqueuedJob;
    try {
      job = await queue.enqueue("generate-report", checked.data);
    } catch {
      return json(503, { error: "the job queue is unavailable; try again shortly" }, { "Retry-After": "5" });
    }

    // Answer now. The worker runs the job; the client follows statusUrl.
    const statusUrl = `/jobs/${job.id}`;
    return json(202, { jobId: job.id, status: "queued", statusUrl }, { Location: statusUrl });
  };
}
