// queuecraft:hidden-or-solution — never in a student edition
// Reuses one module-level headers object for every response and adds Location to it on a 202, so after the first success every later 400, 404 or 503 also carries a Location header pointing at someone else's job.
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

type Parsed = { ok: true; value: ReportRequest } | { ok: false; field: string; error: string };

const FORMATS = new Set<string>(["csv", "pdf"]);
const MONTH = /^[0-9]{4}-(0[1-9]|1[0-2])$/;

function own(body: object, key: string): unknown {
  return Object.hasOwn(body, key) ? (body as Record<string, unknown>)[key] : undefined;
}

function parse(body: unknown): Parsed {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, field: "body", error: "the body must be a JSON object" };
  }
  const accountId = own(body, "accountId");
  if (typeof accountId !== "string" || accountId.length < 1 || accountId.length > 64) {
    return { ok: false, field: "accountId", error: "accountId must be a string of 1 to 64 characters" };
  }
  const format = own(body, "format");
  if (typeof format !== "string" || !FORMATS.has(format)) {
    return { ok: false, field: "format", error: 'format must be "csv" or "pdf"' };
  }
  const month = own(body, "month");
  if (typeof month !== "string" || !MONTH.test(month)) {
    return { ok: false, field: "month", error: 'month must look like "2024-03" (YYYY-MM, month 01 to 12)' };
  }
  return { ok: true, value: { accountId, format: format as "csv" | "pdf", month } };
}

const HEADERS: Record<string, string> = { "Content-Type": "application/json" };

function json(status: number, body: unknown, extra: Record<string, string> = {}): ResponseLike {
  return { status, headers: Object.assign(HEADERS, extra), body };
}

export function createReportHandler(queue: ReportQueue): (request: RequestLike) => Promise<ResponseLike> {
  return async (request) => {
    if (request.path !== "/reports") {
      return json(404, { error: `no route for ${request.path}` } satisfies ErrorBody);
    }
    if (request.method !== "POST") {
      return json(405, { error: `${request.method} is not allowed on /reports; use POST` } satisfies ErrorBody, { Allow: "POST" });
    }
    const parsed = parse(request.body);
    if (!parsed.ok) {
      return json(400, { error: parsed.error, field: parsed.field } satisfies ErrorBody);
    }
    let job: EnqueuedJob;
    try {
      job = await queue.enqueue("generate-report", parsed.value);
    } catch {
      return json(503, { error: "the job queue is unavailable; try again shortly" } satisfies ErrorBody, { "Retry-After": "5" });
    }
    const statusUrl = `/jobs/${job.id}`;
    const accepted: AcceptedBody = { jobId: job.id, status: "queued", statusUrl };
    return json(202, accepted, { Location: statusUrl });
  };
}
