import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { flushMicrotasks } from "#kit/clock.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/1-foundations/01-request-cycle/challenge.ts");
type ResponseLike = import("../../../../lessons/1-foundations/01-request-cycle/challenge.ts").ResponseLike;
type ReportQueue = import("../../../../lessons/1-foundations/01-request-cycle/challenge.ts").ReportQueue;

const { createReportHandler } = await loadCandidate<Challenge>(import.meta.url);

const FIELDS = ["accountId", "format", "month"] as const;
type Field = (typeof FIELDS)[number];

/** An in-memory queue that records what was enqueued. Its jobs never finish: no worker is running. */
function recordingQueue(options: { down?: boolean } = {}) {
  const calls: Array<{ type: string; data: unknown }> = [];
  const queue: ReportQueue = {
    async enqueue(type, data) {
      if (options.down) throw new Error("connect ECONNREFUSED 127.0.0.1:6379");
      calls.push({ type, data });
      const id = `job-${calls.length}`;
      return { id, waitUntilFinished: () => new Promise<unknown>(() => {}) };
    },
  };
  return { queue, calls };
}

/**
 * The handler's answer, which must come while the job is still unfinished.
 * Lets queued promise continuations run a few times; a handler that waits for
 * the job never settles, and fails here instead of hanging.
 */
async function answer(pending: Promise<ResponseLike>): Promise<ResponseLike> {
  let outcome: { value: ResponseLike } | { error: unknown } | undefined;
  pending.then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { error }),
  );
  for (let i = 0; i < 50 && outcome === undefined; i++) await flushMicrotasks();
  if (outcome === undefined) {
    expect.fail("the handler did not answer while the job was still unfinished: answer 202 right after enqueue, never wait for the job");
  }
  if ("error" in outcome) throw outcome.error;
  return outcome.value;
}

function header(response: ResponseLike, name: string): string | undefined {
  const headers = response.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

function post(body: unknown) {
  return { method: "POST", path: "/reports", headers: { "content-type": "application/json" }, body };
}

// --- generators ----------------------------------------------------------------
const validAccountId = fc.string({ minLength: 1, maxLength: 64 });
const validFormat = fc.constantFrom("csv" as const, "pdf" as const);
const validMonth = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }))
  .map(([y, m]) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}`);
const validReport = fc.record({ accountId: validAccountId, format: validFormat, month: validMonth });
const extraFields = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !(FIELDS as readonly string[]).includes(k) && k !== "__proto__"),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 3 },
);

/** Values of the wrong type; a coercing check (String(x), `${x}`) would let some of them through. */
const notAString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(202403),
  fc.array(fc.constantFrom("csv", "pdf", "2024-03", "acct-1"), { minLength: 1, maxLength: 2 }),
  fc.record({ value: fc.string() }),
);
const MISSING = Symbol("missing");
const badValue: Record<Field, fc.Arbitrary<unknown>> = {
  accountId: fc.oneof(notAString, fc.constant(""), fc.string({ minLength: 65, maxLength: 90 }), fc.constant(MISSING)),
  format: fc.oneof(
    notAString,
    fc.constantFrom("CSV", "PDF", "xlsx", " pdf", "csv ", "", "json"),
    fc.string().filter((s) => s !== "csv" && s !== "pdf"),
    fc.constant(MISSING),
  ),
  month: fc.oneof(
    notAString,
    fc.constantFrom("2024-13", "2024-00", "2024-1", "24-03", "2024/03", "2024-03-15", "202403", " 2024-03", "2024-03 ", ""),
    fc.string().filter((s) => !/^\d{4}-(0[1-9]|1[0-2])$/.test(s)),
    fc.constant(MISSING),
  ),
};

function withBad(report: Record<string, unknown>, field: Field, value: unknown): Record<string, unknown> {
  const body = { ...report };
  if (value === MISSING) delete body[field];
  else body[field] = value;
  return body;
}

const oneBadField = fc
  .tuple(validReport, fc.constantFrom(...FIELDS))
  .chain(([report, field]) => badValue[field].map((value) => ({ field, body: withBad(report, field, value) })));

const severalBadFields = fc
  .tuple(validReport, fc.subarray([...FIELDS], { minLength: 2 }))
  .chain(([report, fields]) =>
    fc.tuple(...fields.map((f) => badValue[f])).map((values) => {
      let body: Record<string, unknown> = report;
      fields.forEach((f, i) => (body = withBad(body, f, values[i])));
      return { fields, body };
    }),
  );

// --- tests ---------------------------------------------------------------------
describe("POST /reports with a valid body", () => {
  test("is enqueued exactly once with only the validated fields, and answered 202 with a status URL", async () => {
    await fc.assert(
      fc.asyncProperty(validReport, extraFields, async (report, extra) => {
        const { queue, calls } = recordingQueue();
        const handle = createReportHandler(queue);
        const res = await answer(handle(post({ ...extra, ...report })));

        expect(res.status, "an accepted job is answered 202 Accepted (not 200 or 201: the work has not happened yet)").toBe(202);
        expect(calls.length, "a valid request must enqueue exactly one job").toBe(1);
        expect(calls[0]!.type, 'the job type must be "generate-report"').toBe("generate-report");
        expect(calls[0]!.data, "the job data must be exactly { accountId, format, month }: copy the validated fields, drop the rest of the body").toEqual(report);

        const body = res.body as Record<string, unknown>;
        expect(body, "the 202 body must be an object { jobId, status, statusUrl }").toBeTypeOf("object");
        expect(body.jobId, "body.jobId must be the id the queue returned").toBe("job-1");
        expect(body.status, 'body.status must be "queued"').toBe("queued");
        expect(body.statusUrl, 'body.statusUrl must be "/jobs/" + the job id').toBe("/jobs/job-1");
        expect(header(res, "Location"), "a 202 must carry a Location header pointing at the status URL").toBe("/jobs/job-1");
        expect(header(res, "Content-Type") ?? "", "responses are JSON: set Content-Type: application/json").toMatch(/application\/json/);
      }),
    );
  });

  test("answers 202 without waiting for the job to finish", async () => {
    const { queue } = recordingQueue();
    const handle = createReportHandler(queue);
    const res = await answer(handle(post({ accountId: "acct-1", format: "pdf", month: "2024-03" })));
    expect(res.status, "the answer comes as soon as the job is stored, with 202").toBe(202);
  });

  test("gives every accepted request its own job and status URL", async () => {
    const { queue, calls } = recordingQueue();
    const handle = createReportHandler(queue);
    const first = await answer(handle(post({ accountId: "a", format: "csv", month: "2024-01" })));
    const second = await answer(handle(post({ accountId: "a", format: "csv", month: "2024-01" })));
    expect(calls.length, "two requests, two jobs (deduplication comes in a later lesson)").toBe(2);
    expect(header(first, "Location"), "the first request's Location names the first job").toBe("/jobs/job-1");
    expect(header(second, "Location"), "the second request's Location names the second job").toBe("/jobs/job-2");
  });
});

describe("POST /reports with an invalid body", () => {
  test("a single invalid or missing field gets 400 naming that field, and nothing is enqueued", async () => {
    await fc.assert(
      fc.asyncProperty(oneBadField, async ({ field, body }) => {
        const { queue, calls } = recordingQueue();
        const res = await answer(createReportHandler(queue)(post(body)));
        expect(res.status, `an invalid ${field} must get 400 Bad Request`).toBe(400);
        expect(calls.length, "validate BEFORE enqueueing: a rejected request must leave no job behind").toBe(0);
        const error = res.body as Record<string, unknown> | null;
        expect(error?.field, `the 400 body's "field" must name the offending field`).toBe(field);
        expect(typeof error?.error === "string" && error.error.length > 0, 'the 400 body needs an "error" message a developer can act on').toBe(true);
        expect(header(res, "Content-Type") ?? "", "error responses are JSON too: set Content-Type: application/json").toMatch(/application\/json/);
      }),
    );
  });

  test("with several invalid fields, the 400 names one of them and nothing is enqueued", async () => {
    await fc.assert(
      fc.asyncProperty(severalBadFields, async ({ fields, body }) => {
        const { queue, calls } = recordingQueue();
        const res = await answer(createReportHandler(queue)(post(body)));
        expect(res.status, "a body with several invalid fields must get 400").toBe(400);
        expect(calls.length, "a rejected request must enqueue nothing").toBe(0);
        expect(fields, `"field" must name one of the invalid fields`).toContain((res.body as Record<string, unknown> | null)?.field);
      }),
    );
  });

  test("accountId may be 1 to 64 characters: exactly 64 is accepted, 65 is refused", async () => {
    for (const [accountId, status] of [["a", 202], ["x".repeat(64), 202], ["x".repeat(65), 400]] as const) {
      const { queue, calls } = recordingQueue();
      const res = await answer(createReportHandler(queue)(post({ accountId, format: "csv", month: "2024-03" })));
      expect(res.status, `an accountId of ${accountId.length} characters must get ${status} (the limit is "at most 64", inclusive)`).toBe(status);
      expect(calls.length, `an accountId of ${accountId.length} characters: ${status === 202 ? "one job" : "no job"}`).toBe(status === 202 ? 1 : 0);
    }
  });

  test("values of the wrong type get 400 even when String(value) would look right", async () => {
    const cases: Array<[Field, unknown]> = [
      ["accountId", 12345],
      ["accountId", ["acct-1"]],
      ["format", ["pdf"]],
      ["format", { toString: () => "csv" }],
      ["month", ["2024-03"]],
      ["month", { toString: () => "2024-03" }],
    ];
    for (const [field, value] of cases) {
      const { queue, calls } = recordingQueue();
      const body = withBad({ accountId: "acct-1", format: "pdf", month: "2024-03" }, field, value);
      const res = await answer(createReportHandler(queue)(post(body)));
      const shown = Array.isArray(value) ? JSON.stringify(value) : typeof value === "object" ? "an object with toString()" : String(value);
      expect(res.status, `${field}: ${shown} is not a string: check typeof, do not coerce with String() or a template literal`).toBe(400);
      expect(calls.length, `${field}: ${shown} must not be enqueued`).toBe(0);
    }
  });

  test("a body that is not a JSON object gets 400 with field \"body\", and nothing is enqueued", async () => {
    const bodies: unknown[] = [null, undefined, "accountId=a&format=pdf", 42, true, [], [{ accountId: "a", format: "pdf", month: "2024-03" }]];
    for (const body of bodies) {
      const { queue, calls } = recordingQueue();
      const res = await answer(createReportHandler(queue)(post(body)));
      const shown = JSON.stringify(body) ?? "undefined";
      expect(res.status, `body ${shown} is not a JSON object: 400`).toBe(400);
      expect(calls.length, `body ${shown} must not be enqueued`).toBe(0);
      expect((res.body as Record<string, unknown> | null)?.field, `for body ${shown}, "field" must be "body"`).toBe("body");
    }
  });
});

describe("routing and failures", () => {
  test("other methods on /reports get 405 with Allow: POST, and nothing is enqueued", async () => {
    for (const method of ["GET", "PUT", "DELETE"]) {
      const { queue, calls } = recordingQueue();
      const res = await answer(createReportHandler(queue)({ method, path: "/reports", body: { accountId: "a", format: "pdf", month: "2024-03" } }));
      expect(res.status, `${method} /reports must get 405 Method Not Allowed`).toBe(405);
      expect(header(res, "Allow"), "a 405 must say which method is allowed: Allow: POST").toBe("POST");
      expect(header(res, "Content-Type") ?? "", "a 405 is JSON too: set Content-Type: application/json on every response").toMatch(/application\/json/);
      expect(calls.length, `${method} /reports must not enqueue anything`).toBe(0);
    }
  });

  test("other paths get 404 whatever the method, and nothing is enqueued", async () => {
    for (const [method, path] of [["POST", "/reports/extra"], ["GET", "/health"], ["DELETE", "/jobs/1"]]) {
      const { queue, calls } = recordingQueue();
      const res = await answer(createReportHandler(queue)({ method: method!, path: path!, body: { accountId: "a", format: "pdf", month: "2024-03" } }));
      expect(res.status, `${method} ${path} is not this route: 404 (check the path before the method; 405 is only for /reports)`).toBe(404);
      expect(calls.length, "an unknown path must not enqueue anything").toBe(0);
      expect(header(res, "Content-Type") ?? "", "a 404 is JSON too: set Content-Type: application/json on every response").toMatch(/application\/json/);
    }
  });

  test("when the queue is unavailable the answer is 503, never 202", async () => {
    const { queue } = recordingQueue({ down: true });
    const res = await answer(createReportHandler(queue)(post({ accountId: "a", format: "pdf", month: "2024-03" })));
    expect(res.status, "enqueue failed, so the job was not accepted: answer 503 Service Unavailable, not 202").toBe(503);
    expect(header(res, "Location"), "a 503 must not point at a job that does not exist").toBeUndefined();
    expect(header(res, "Content-Type") ?? "", "a 503 is JSON too: set Content-Type: application/json on every response").toMatch(/application\/json/);
    expect(typeof (res.body as Record<string, unknown> | null)?.error, 'a 503 body needs an "error" message').toBe("string");
  });
});
