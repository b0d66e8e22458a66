// queuecraft:hidden-or-solution — never in a student edition
// Alternative: a table of field rules checked in a loop, a route table keyed by method, and promise chaining (.then/.catch) instead of try/await.

export interface RequestLike { method: string; path: string; headers?: Record<string, string>; body: unknown }
export interface ResponseLike { status: number; headers: Record<string, string>; body: unknown }
export interface ReportRequest { accountId: string; format: "csv" | "pdf"; month: string }
export interface EnqueuedJob { id: string; waitUntilFinished(): Promise<unknown> }
export interface ReportQueue { enqueue(type: "generate-report", data: ReportRequest): Promise<EnqueuedJob> }

type Rule = { field: keyof ReportRequest; ok: (value: unknown) => boolean; error: string };

const RULES: readonly Rule[] = [
  {
    field: "accountId",
    ok: (v) => typeof v === "string" && v.length >= 1 && v.length <= 64,
    error: "accountId must be a string of 1 to 64 characters",
  },
  { field: "format", ok: (v) => v === "csv" || v === "pdf", error: 'format must be "csv" or "pdf"' },
  {
    field: "month",
    ok: (v) => {
      if (typeof v !== "string" || v.length !== 7 || v[4] !== "-") return false;
      for (const i of [0, 1, 2, 3, 5, 6]) if (v.charCodeAt(i) < 48 || v.charCodeAt(i) > 57) return false;
      const m = Number(v.slice(5));
      return m >= 1 && m <= 12;
    },
    error: "month must be YYYY-MM with a month from 01 to 12",
  },
];

function reply(status: number, body: unknown, extra: Record<string, string> = {}): ResponseLike {
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  for (const [k, v] of Object.entries(extra)) headers[k.toLowerCase()] = v;
  return { status, headers, body };
}

export function createReportHandler(queue: ReportQueue): (request: RequestLike) => Promise<ResponseLike> {
  const post = (body: unknown): Promise<ResponseLike> => {
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return Promise.resolve(reply(400, { error: "expected a JSON object", field: "body" }));
    }
    const data = Object.create(null) as Record<string, unknown>;
    for (const rule of RULES) {
      const value = Object.prototype.hasOwnProperty.call(body, rule.field) ? (body as Record<string, unknown>)[rule.field] : undefined;
      if (!rule.ok(value)) return Promise.resolve(reply(400, { error: rule.error, field: rule.field }));
      data[rule.field] = value;
    }
    const job: ReportRequest = { accountId: data.accountId as string, format: data.format as ReportRequest["format"], month: data.month as string };
    return queue.enqueue("generate-report", job).then(
      (stored) => reply(202, { jobId: stored.id, status: "queued", statusUrl: "/jobs/" + stored.id }, { location: "/jobs/" + stored.id }),
      () => reply(503, { error: "queue unavailable, retry later" }, { "retry-after": "30" }),
    );
  };

  const routes = new Map<string, (body: unknown) => Promise<ResponseLike>>([["POST", post]]);

  return (request) => {
    if (request.path !== "/reports") return Promise.resolve(reply(404, { error: "not found" }));
    const route = routes.get(request.method);
    if (route === undefined) return Promise.resolve(reply(405, { error: "only POST is allowed here" }, { allow: "POST" }));
    return route(request.body);
  };
}
