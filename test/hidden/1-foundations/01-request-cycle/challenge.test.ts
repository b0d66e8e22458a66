// queuecraft:hidden-or-solution — never in a student edition
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
function recordingQueue(options: { down?: boolean; reason?: unknown; ids?: (n: number) => string } = {}) {
  const calls: Array<{ type: string; data: unknown }> = [];
  const queue: ReportQueue = {
    async enqueue(type, data) {
      if (options.down) throw "reason" in options ? options.reason : new Error("connect ECONNREFUSED 127.0.0.1:6379");
      calls.push({ type, data });
      const id = options.ids ? options.ids(calls.length) : `job-${calls.length}`;
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
const VALID = { accountId: "acct-1", format: "pdf", month: "2024-03" } as const;

/** Posts one body to a fresh handler; the response and how many jobs it enqueued. */
async function postOne(body: unknown) {
  const { queue, calls } = recordingQueue();
  const res = await answer(createReportHandler(queue)(post(body)));
  return { res, calls };
}

function fieldOf(res: ResponseLike): unknown {
  return (res.body as Record<string, unknown> | null)?.field;
}

function hasErrorMessage(res: ResponseLike): boolean {
  const body = res.body as Record<string, unknown> | null;
  return typeof body?.error === "string" && body.error.length > 0;
}

describe("[C1][C2] routing", () => {
  test("[C1] a path other than exactly /reports gets 404 whatever the method, and nothing is enqueued", async () => {
    const paths = ["/reports/extra", "/reports/", "/reportsX", "/Reports", "/REPORTS", "/", "", "/health", "/jobs/1", "reports"];
    for (const method of ["POST", "GET", "DELETE"]) {
      for (const path of paths) {
        const { queue, calls } = recordingQueue();
        const res = await answer(createReportHandler(queue)({ method, path, body: { ...VALID } }));
        if (res.status !== 404 || calls.length !== 0 || !hasErrorMessage(res)) {
          expect(res.status, `${method} ${JSON.stringify(path)} is not the route "/reports": 404 (match the path exactly, and check it before the method; 405 is only for /reports)`).toBe(404);
          expect(calls.length, "an unknown path must not enqueue anything").toBe(0);
          expect(hasErrorMessage(res), 'a 404 body is an ErrorBody with a non-empty "error"').toBe(true);
        }
      }
    }
  });

  test("[C2] every method other than POST on /reports gets 405 with Allow: POST, and nothing is enqueued", async () => {
    for (const method of ["GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT"]) {
      const { queue, calls } = recordingQueue();
      const res = await answer(createReportHandler(queue)({ method, path: "/reports", body: { ...VALID } }));
      expect(res.status, `${method} /reports must get 405 Method Not Allowed`).toBe(405);
      expect(header(res, "Allow"), "a 405 must say which method is allowed: Allow: POST").toBe("POST");
      expect(hasErrorMessage(res), 'a 405 body is an ErrorBody with a non-empty "error"').toBe(true);
      expect(calls.length, `${method} /reports must not enqueue anything`).toBe(0);
    }
  });
});

describe("POST /reports with a valid body", () => {
  test("[C9] answers 202 without waiting for the job to finish", async () => {
    const { queue } = recordingQueue();
    const handle = createReportHandler(queue);
    const res = await answer(handle(post({ ...VALID })));
    expect(res.status, "the answer comes as soon as the job is stored, with 202").toBe(202);
  });

  test("[C8][C9] gives every accepted request its own job and status URL", async () => {
    const { queue, calls } = recordingQueue();
    const handle = createReportHandler(queue);
    const first = await answer(handle(post({ accountId: "a", format: "csv", month: "2024-01" })));
    const second = await answer(handle(post({ accountId: "a", format: "csv", month: "2024-01" })));
    expect(calls.length, "two requests, two jobs (deduplication comes in a later lesson)").toBe(2);
    expect(header(first, "Location"), "the first request's Location names the first job").toBe("/jobs/job-1");
    expect(header(second, "Location"), "the second request's Location names the second job").toBe("/jobs/job-2");
  });

  test("[C9] the job id is used as the queue returned it, also when it is \"0\" or looks like a property name", async () => {
    for (const id of ["0", "constructor", "__proto__", "toString", "42"]) {
      const { queue, calls } = recordingQueue({ ids: () => id });
      const res = await answer(createReportHandler(queue)(post({ ...VALID })));
      expect(res.status, `a job stored with id ${JSON.stringify(id)} is accepted: 202`).toBe(202);
      expect(calls.length, "one valid request, one job").toBe(1);
      const body = res.body as Record<string, unknown> | null;
      expect(body?.jobId, `body.jobId must be the id the queue returned (${JSON.stringify(id)})`).toBe(id);
      expect(body?.statusUrl, 'body.statusUrl must be "/jobs/" + the job id').toBe(`/jobs/${id}`);
      expect(header(res, "Location"), 'Location must be "/jobs/" + the job id').toBe(`/jobs/${id}`);
    }
  });

  test("[C8] unknown fields named __proto__, constructor or toString are dropped from the job, not refused and not merged in", async () => {
    const raw = '{"accountId":"acct-1","format":"csv","month":"2024-03","__proto__":{"admin":true,"priority":1},"constructor":{"name":"x"},"toString":"y","priority":99}';
    const { res, calls } = await postOne(JSON.parse(raw));
    expect(res.status, "extra fields are dropped, not refused: a body with valid accountId, format and month gets 202").toBe(202);
    expect(calls.length, "a valid request must enqueue exactly one job").toBe(1);
    expect(calls[0]!.type, 'the job type must be "generate-report"').toBe("generate-report");
    const data = calls[0]!.data as Record<string, unknown>;
    expect(Object.keys(data).sort(), "the job data must be exactly { accountId, format, month }").toEqual(["accountId", "format", "month"]);
    expect(data.admin, "the body's __proto__ field must not end up in the job (not even as its prototype): copy only the three validated fields").toBeUndefined();
    expect(data.priority, "unknown fields must not reach the job").toBeUndefined();
    expect({ ...data }, "the job data must be exactly { accountId, format, month }").toEqual({ accountId: "acct-1", format: "csv", month: "2024-03" });
  });
});

describe("POST /reports with an invalid body", () => {
  test("[C4] accountId may be 1 to 64 characters: exactly 64 is accepted, 65 is refused", async () => {
    for (const [accountId, status] of [["", 400], ["a", 202], ["x".repeat(63), 202], ["x".repeat(64), 202], ["x".repeat(65), 400], ["x".repeat(1000), 400]] as const) {
      const { res, calls } = await postOne({ ...VALID, accountId });
      expect(res.status, `an accountId of ${accountId.length} characters must get ${status} (the limit is "1 to 64", inclusive)`).toBe(status);
      expect(calls.length, `an accountId of ${accountId.length} characters: ${status === 202 ? "one job" : "no job"}`).toBe(status === 202 ? 1 : 0);
      if (status === 400) expect(fieldOf(res), 'the 400 must name field "accountId"').toBe("accountId");
    }
  });

  test("[C4] the 64-character limit counts characters, not UTF-8 bytes", async () => {
    for (const ch of ["é", "日", "ß"]) {
      for (const [n, status] of [[64, 202], [65, 400]] as const) {
        const accountId = ch.repeat(n);
        const { res, calls } = await postOne({ ...VALID, accountId });
        expect(res.status, `an accountId of ${n} × "${ch}" is ${n} characters (${Buffer.byteLength(accountId)} UTF-8 bytes): ${status} (count accountId.length, not bytes)`).toBe(status);
        expect(calls.length, `an accountId of ${n} × "${ch}": ${status === 202 ? "one job" : "no job"}`).toBe(status === 202 ? 1 : 0);
      }
    }
  });

  test("[C4] any non-empty accountId of at most 64 characters is valid as it is: spaces, \"0\" and property names included", async () => {
    for (const accountId of [" ", "   ", " acct-1 ", "\t", "0", "false", "null", "constructor", "__proto__", "toString", "hasOwnProperty", " ".repeat(64)]) {
      const { res, calls } = await postOne({ ...VALID, accountId });
      expect(res.status, `accountId ${JSON.stringify(accountId)} is a non-empty string of at most 64 characters: 202 (do not trim it or test it for truthiness)`).toBe(202);
      expect((calls[0]?.data as Record<string, unknown> | undefined)?.accountId, `accountId ${JSON.stringify(accountId)} must reach the job unchanged`).toBe(accountId);
    }
  });

  test("[C5] format is exactly \"csv\" or \"pdf\": other cases, padding and property names are refused", async () => {
    for (const format of ["csv", "pdf"]) {
      const { res, calls } = await postOne({ ...VALID, format });
      expect(res.status, `format ${JSON.stringify(format)} is valid: 202`).toBe(202);
      expect((calls[0]?.data as Record<string, unknown> | undefined)?.format, "format must reach the job unchanged").toBe(format);
    }
    const bad = ["CSV", "PDF", "Csv", "Pdf", "pDf", "cSV", " pdf", "pdf ", "csv\n", "", "xlsx", "json", "pd", "c", "csvpdf", "pdf,csv",
      "toString", "constructor", "__proto__", "hasOwnProperty", "valueOf", "isPrototypeOf", "length", "0"];
    for (const format of bad) {
      const { res, calls } = await postOne({ ...VALID, format });
      if (res.status !== 400 || calls.length !== 0 || fieldOf(res) !== "format") {
        expect(res.status, `format ${JSON.stringify(format)} is not exactly "csv" or "pdf" (case-sensitive; not a key lookup in an object): 400`).toBe(400);
        expect(calls.length, `format ${JSON.stringify(format)} must not be enqueued`).toBe(0);
        expect(fieldOf(res), 'the 400 must name field "format"').toBe("format");
      }
    }
  });

  test("[C6] month: every two-digit month from 00 to 99, and years 0000 to 9999 at the edges", async () => {
    for (let m = 0; m <= 99; m++) {
      const month = `2024-${String(m).padStart(2, "0")}`;
      const want = m >= 1 && m <= 12 ? 202 : 400;
      const { res, calls } = await postOne({ ...VALID, month });
      if (res.status !== want || calls.length !== (want === 202 ? 1 : 0) || (want === 400 && fieldOf(res) !== "month")) {
        expect(res.status, `month ${JSON.stringify(month)}: months run from 01 to 12, so ${want}`).toBe(want);
        expect(calls.length, `month ${JSON.stringify(month)}: ${want === 202 ? "one job" : "no job"}`).toBe(want === 202 ? 1 : 0);
        expect(fieldOf(res), 'the 400 must name field "month"').toBe("month");
      }
    }
    for (const month of ["0000-01", "9999-12", "1970-06"]) {
      const { res } = await postOne({ ...VALID, month });
      expect(res.status, `month ${JSON.stringify(month)} is four digits, a dash and 01-12: 202`).toBe(202);
    }
  });

  test("[C6] month must be exactly YYYY-MM: nothing before or after, ASCII digits only, no sign or space", async () => {
    const bad = ["2024-1", "2024-001", "24-03", "024-03", "02024-03", "12024-12", "2024/03", "2024_03", "2024.03", "202403", "2024-03-01",
      "2024-1a", "2024-1x", "20a4-03", "2024- 3", "2024-+3", "2024--3", "+024-03", "-024-03", " 2024-03", "2024-03 ", "2024-03\n", "\n2024-03",
      "x2024-03", "2024-031", "2024-3 ", "２０２４-03", "2024-０３", "٢٠٢٤-03", "2024-13", "2024-00", "", "-", "YYYY-MM"];
    for (const month of bad) {
      const { res, calls } = await postOne({ ...VALID, month });
      if (res.status !== 400 || calls.length !== 0 || fieldOf(res) !== "month") {
        expect(res.status, `month ${JSON.stringify(month)} is not "YYYY-MM" (four ASCII digits, a dash, 01-12, nothing else): 400`).toBe(400);
        expect(calls.length, `month ${JSON.stringify(month)} must not be enqueued`).toBe(0);
        expect(fieldOf(res), 'the 400 must name field "month"').toBe("month");
      }
    }
  });

  test("[C4][C5][C6] values of the wrong type get 400 naming the field, even falsy ones and ones whose String() looks right", async () => {
    const looksRight: Record<Field, unknown> = { accountId: ["acct-1"], format: ["pdf"], month: ["2024-03"] };
    for (const field of FIELDS) {
      const wrong: unknown[] = [0, 1, -1, NaN, false, true, null, [], {}, looksRight[field], { toString: () => String(VALID[field]) },
        { valueOf: () => VALID[field] }, field === "month" ? 202403 : 12345, [looksRight[field]]];
      for (const value of wrong) {
        const { res, calls } = await postOne(withBad({ ...VALID }, field, value));
        if (res.status !== 400 || calls.length !== 0 || fieldOf(res) !== field) {
          const shown = Array.isArray(value) ? JSON.stringify(value) : typeof value === "object" && value !== null ? "an object" : String(value);
          expect(res.status, `${field}: ${shown} is not a string: 400 (check typeof, do not coerce with String() or a template literal)`).toBe(400);
          expect(calls.length, `${field}: ${shown} must not be enqueued`).toBe(0);
          expect(fieldOf(res), `the 400 must name field "${field}"`).toBe(field);
        }
      }
    }
  });

  test("[C3] a body that is not a JSON object gets 400 with field \"body\", and nothing is enqueued", async () => {
    const bodies: unknown[] = [null, undefined, "accountId=a&format=pdf", "", 0, 42, true, false, [], [{ ...VALID }], ["acct-1", "pdf", "2024-03"]];
    for (const body of bodies) {
      const { res, calls } = await postOne(body);
      const shown = JSON.stringify(body) ?? "undefined";
      expect(res.status, `body ${shown} is not a JSON object: 400`).toBe(400);
      expect(calls.length, `body ${shown} must not be enqueued`).toBe(0);
      expect(fieldOf(res), `for body ${shown}, "field" must be "body"`).toBe("body");
      expect(hasErrorMessage(res), 'a 400 body is an ErrorBody with a non-empty "error"').toBe(true);
    }
  });

  test("[C3][C8] fields hidden under a \"__proto__\" key of the JSON body are not the body's own fields: 400, nothing enqueued", async () => {
    const body = JSON.parse('{"__proto__":{"accountId":"acct-1","format":"pdf","month":"2024-03"}}') as unknown;
    const { res, calls } = await postOne(body);
    expect(res.status, 'accountId, format and month inside "__proto__" are not fields of the body (copying the body with Object.assign would make them look like it): 400').toBe(400);
    expect(calls.length, "a rejected request must enqueue nothing").toBe(0);
    expect(FIELDS as readonly unknown[], '"field" must name one of the missing fields').toContain(fieldOf(res));
  });
});

describe("[C10][C11] failures and every response", () => {
  test("[C10] when the queue is unavailable the answer is 503 with Retry-After, never 202, whatever the queue rejects with", async () => {
    for (const reason of [new Error("connect ECONNREFUSED 127.0.0.1:6379"), "queue is down", undefined, null, 0]) {
      const { queue } = recordingQueue({ down: true, reason });
      const res = await answer(createReportHandler(queue)(post({ ...VALID })));
      const shown = reason instanceof Error ? "an Error" : JSON.stringify(reason) ?? "undefined";
      expect(res.status, `enqueue rejected (with ${shown}), so the job was not accepted: answer 503 Service Unavailable, not 202`).toBe(503);
      expect(header(res, "Location"), "a 503 must not point at a job that does not exist").toBeUndefined();
      const retryAfter = header(res, "Retry-After");
      expect(retryAfter !== undefined && (/^\d+$/.test(retryAfter) || !Number.isNaN(Date.parse(retryAfter))), "a 503 must say when to try again: a Retry-After header in seconds").toBe(true);
      expect(hasErrorMessage(res), `a 503 body needs a non-empty "error" message of our own (the queue rejected with ${shown}, which may have no message)`).toBe(true);
    }
  });

  test("[C11] every response, 202, 400, 404, 405 and 503, is JSON: Content-Type: application/json", async () => {
    const ok = recordingQueue();
    const down = recordingQueue({ down: true });
    const cases: Array<[string, Promise<ResponseLike>]> = [
      ["202", createReportHandler(ok.queue)(post({ ...VALID }))],
      ["400 (bad field)", createReportHandler(ok.queue)(post({ ...VALID, format: "xlsx" }))],
      ["400 (body)", createReportHandler(ok.queue)(post(null))],
      ["404", createReportHandler(ok.queue)({ method: "GET", path: "/health", body: undefined })],
      ["405", createReportHandler(ok.queue)({ method: "GET", path: "/reports", body: undefined })],
      ["503", createReportHandler(down.queue)(post({ ...VALID }))],
    ];
    for (const [name, pending] of cases) {
      const res = await answer(pending);
      expect(header(res, "Content-Type") ?? "", `the ${name} response must carry Content-Type: application/json`).toMatch(/^application\/json/);
    }
  });
});

describe("[C4][C5][C6][C7][C8][C9] random bodies", () => {
  test("[C8][C9] is enqueued exactly once with only the validated fields, and answered 202 with a status URL", async () => {
    await fc.assert(
      fc.asyncProperty(validReport, extraFields, async (report, extra) => {
        const { queue, calls } = recordingQueue();
        const handle = createReportHandler(queue);
        const res = await answer(handle(post({ ...extra, ...report })));
        const body = res.body as Record<string, unknown> | null;
        const fine =
          res.status === 202 &&
          calls.length === 1 &&
          calls[0]!.type === "generate-report" &&
          typeof body === "object" && body !== null &&
          body.jobId === "job-1" && body.status === "queued" && body.statusUrl === "/jobs/job-1" &&
          header(res, "Location") === "/jobs/job-1" &&
          Object.keys(calls[0]!.data as object).length === 3;
        if (fine) {
          const data = calls[0]!.data as Record<string, unknown>;
          if (data.accountId === report.accountId && data.format === report.format && data.month === report.month) return;
        }
        expect(res.status, "an accepted job is answered 202 Accepted (not 200 or 201: the work has not happened yet)").toBe(202);
        expect(calls.length, "a valid request must enqueue exactly one job").toBe(1);
        expect(calls[0]!.type, 'the job type must be "generate-report"').toBe("generate-report");
        expect(calls[0]!.data, "the job data must be exactly { accountId, format, month }: copy the validated fields, drop the rest of the body").toEqual(report);
        expect(body, "the 202 body must be an object { jobId, status, statusUrl }").toBeTypeOf("object");
        expect(body?.jobId, "body.jobId must be the id the queue returned").toBe("job-1");
        expect(body?.status, 'body.status must be "queued"').toBe("queued");
        expect(body?.statusUrl, 'body.statusUrl must be "/jobs/" + the job id').toBe("/jobs/job-1");
        expect(header(res, "Location"), "a 202 must carry a Location header pointing at the status URL").toBe("/jobs/job-1");
      }),
    );
  });

  test("[C4][C5][C6][C7] a single invalid or missing field gets 400 naming that field, and nothing is enqueued", async () => {
    await fc.assert(
      fc.asyncProperty(oneBadField, async ({ field, body }) => {
        const { res, calls } = await postOne(body);
        if (res.status === 400 && calls.length === 0 && fieldOf(res) === field && hasErrorMessage(res)) return;
        expect(res.status, `an invalid ${field} must get 400 Bad Request`).toBe(400);
        expect(calls.length, "validate BEFORE enqueueing: a rejected request must leave no job behind").toBe(0);
        expect(fieldOf(res), `the 400 body's "field" must name the offending field`).toBe(field);
        expect(hasErrorMessage(res), 'the 400 body needs an "error" message a developer can act on').toBe(true);
      }),
    );
  });

  test("[C7] with several invalid fields, the 400 names one of them and nothing is enqueued", async () => {
    await fc.assert(
      fc.asyncProperty(severalBadFields, async ({ fields, body }) => {
        const { res, calls } = await postOne(body);
        expect(res.status, "a body with several invalid fields must get 400").toBe(400);
        expect(calls.length, "a rejected request must enqueue nothing").toBe(0);
        expect(fields, `"field" must name one of the invalid fields`).toContain(fieldOf(res));
      }),
    );
  });
});
