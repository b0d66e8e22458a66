// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe, afterAll } from "vitest";
import fc from "fast-check";
import type { AddressInfo } from "node:net";
import { Agent, createServer, request as httpRequest, type IncomingMessage, type RequestListener, type Server } from "node:http";
import { FakeClock } from "#kit/clock.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/6-streams-http-and-production/24-http-jobs-api/challenge.ts");
type Stub = typeof import("../../../../lessons/6-streams-http-and-production/24-http-jobs-api/challenge.ts");
type JobQueue = import("../../../../lessons/6-streams-http-and-production/24-http-jobs-api/challenge.ts").JobQueue;
type JobEvent = import("../../../../lessons/6-streams-http-and-production/24-http-jobs-api/challenge.ts").JobEvent;
type JobSnapshot = import("../../../../lessons/6-streams-http-and-production/24-http-jobs-api/challenge.ts").JobSnapshot;
type ExportRequest = import("../../../../lessons/6-streams-http-and-production/24-http-jobs-api/challenge.ts").ExportRequest;
type JobsApiOptions = Parameters<Stub["createJobsApi"]>[0];

const { createJobsApi } = await loadCandidate<Challenge>(import.meta.url);

// --- a queue the test drives by hand ----------------------------------------------------

function fakeQueue(options: { holdFirstEnqueue?: boolean; failNextEnqueue?: boolean; ids?: string[] } = {}) {
  const jobs = new Map<string, { id: string; status: JobSnapshot["status"]; done: number; total: number; results: unknown[]; error?: string }>();
  const listeners = new Map<string, Set<(event: JobEvent) => void>>();
  const enqueued: ExportRequest[] = [];
  const held: Array<() => void> = [];
  let failNext: Error | undefined = options.failNextEnqueue ? new Error("connection to the job store lost") : undefined;
  let nextId = 1;
  const ids = [...(options.ids ?? [])];
  /** Runs once, in a microtask right after the next get(id): events that happen between the API's read and anything it awaits. */
  const afterGet = new Map<string, () => void>();
  /** Called on every enqueue, subscribe and unsubscribe, so a test waits for exactly that instead of polling. */
  const watchers = new Set<() => void>();
  const changed = () => {
    for (const watcher of [...watchers]) watcher();
  };
  const snapshot = (id: string): JobSnapshot | undefined => {
    const job = jobs.get(id);
    return job && { ...job, results: [...job.results] };
  };
  const emit = (id: string, event: JobEvent) => {
    for (const listener of [...(listeners.get(id) ?? [])]) listener(event);
  };
  /** Stores a result without telling subscribers; returns its index. */
  const store = (id: string, value: unknown): number => {
    const job = jobs.get(id)!;
    job.status = "running";
    job.results.push(value);
    job.done++;
    return job.results.length - 1;
  };
  const queue: JobQueue = {
    async enqueue(request) {
      enqueued.push(request);
      changed();
      if (options.holdFirstEnqueue && enqueued.length === 1) await new Promise<void>((resolve) => held.push(resolve));
      if (failNext) {
        const error = failNext;
        failNext = undefined;
        throw error;
      }
      const id = ids.shift() ?? `job-${nextId++}`;
      jobs.set(id, { id, status: "queued", done: 0, total: request.items.length, results: [] });
      return snapshot(id)!;
    },
    get(id) {
      const hook = afterGet.get(id);
      if (hook) {
        afterGet.delete(id);
        queueMicrotask(hook);
      }
      return snapshot(id);
    },
    subscribe(id, listener) {
      const set = listeners.get(id) ?? new Set();
      listeners.set(id, set);
      set.add(listener);
      changed();
      return () => {
        set.delete(listener);
        changed();
      };
    },
  };
  return {
    queue,
    enqueued,
    releaseEnqueues: () => held.splice(0).forEach((resolve) => resolve()),
    /** The next enqueue() rejects with this error. */
    failNextEnqueue: (error: Error) => void (failNext = error),
    result: (id: string, value: unknown) => emit(id, { type: "result", index: store(id, value), value }),
    /** A result whose event lags the store (as pub/sub after a write does): announce() delivers it later. */
    resultUnannounced: store,
    announce(id: string, index: number) {
      emit(id, { type: "result", index, value: jobs.get(id)!.results[index] });
    },
    /** The queue forgets the job, as a store that removes finished jobs does. */
    drop: (id: string) => void jobs.delete(id),
    end(id: string, status: "completed" | "failed", error?: string) {
      const job = jobs.get(id)!;
      job.status = status;
      if (error !== undefined) job.error = error;
      emit(id, error === undefined ? { type: "end", status } : { type: "end", status, error });
    },
    subscribers: (id: string) => listeners.get(id)?.size ?? 0,
    afterNextGet: (id: string, hook: () => void) => void afterGet.set(id, hook),
    /** Resolves true as soon as `condition` holds after an enqueue, subscribe or unsubscribe; false after `ms`. */
    until(condition: () => boolean, ms: number): Promise<boolean> {
      if (condition()) return Promise.resolve(true);
      return new Promise((resolve) => {
        const check = () => {
          if (!condition()) return;
          clearTimeout(timer);
          watchers.delete(check);
          resolve(true);
        };
        const timer = setTimeout(() => {
          watchers.delete(check);
          resolve(condition());
        }, ms);
        watchers.add(check);
      });
    },
  };
}

// --- a real server on a loopback port ---------------------------------------------------

// One server for the whole file, started by the first test that needs it: each test hands it
// that test's app. The client's keep-alive agent is replaced after every test, so no request
// reuses a connection the previous test's server side closed.
let app: RequestListener | undefined;
let writesAfterEnd = 0;
let agent = new Agent({ keepAlive: true });
let listening: Promise<{ server: Server; base: string }> | undefined;

function listen(): Promise<{ server: Server; base: string }> {
  // What app.listen() does, plus a count of writes into responses that had already ended.
  const server = createServer((req, res) => {
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    res.write = ((...args: unknown[]) => {
      if (res.writableEnded) writesAfterEnd++;
      return write(...args);
    }) as typeof res.write;
    if (app) app(req, res);
    else res.writeHead(503).end();
  }).listen(0, "127.0.0.1");
  return new Promise((resolve, reject) => {
    server.once("listening", () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
    server.once("error", reject);
  });
}

afterAll(async () => {
  if (!listening) return;
  const { server } = await listening;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  agent.destroy();
});

async function withApi(
  options: Partial<JobsApiOptions> & { queue: JobQueue },
  body: (ctx: { base: string; api: ReturnType<Stub["createJobsApi"]>; clock: FakeClock; writesAfterEnd: () => number }) => Promise<void>,
): Promise<void> {
  const clock = (options.clock as FakeClock | undefined) ?? new FakeClock();
  const api = createJobsApi({ ...options, clock });
  const { server, base } = await (listening ??= listen());
  app = api.app;
  writesAfterEnd = 0;
  try {
    await body({ base, api, clock, writesAfterEnd: () => writesAfterEnd });
  } finally {
    app = undefined;
    server.closeAllConnections(); // open streams and kept-alive connections end with their test
    agent.destroy();
    agent = new Agent({ keepAlive: true });
  }
}

// The client side uses node:http rather than fetch: a request costs about half
// the CPU (undici parses in WebAssembly and builds web streams and abort
// signals), and a class's grading sends over a hundred of them per student.

interface Reply {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
  json: Record<string, unknown> | undefined;
}

const headerReader = (response: IncomingMessage) => ({
  get(name: string): string | null {
    const value = response.headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  },
});

class NoAnswer extends Error {}

/** Sends a request and resolves with the response once its headers arrive; `ms` limits the wait for them. */
function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string }, ms: number): { response: Promise<IncomingMessage>; abort: () => void } {
  const outgoing = httpRequest(url, { method: init.method ?? "GET", headers: init.headers, agent });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new NoAnswer());
      outgoing.destroy();
    }, ms);
    outgoing.once("response", (incoming) => {
      clearTimeout(timer);
      resolve(incoming);
    });
    outgoing.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  // A Buffer, not a string: end(string) sends the headers in the body's encoding (UTF-8), a Buffer body leaves
  // them in latin1 as HTTP has them, so a header byte like 0xA0 arrives as "\u00a0".
  outgoing.end(init.body === undefined ? undefined : Buffer.from(init.body));
  return { response, abort: () => outgoing.destroy() };
}

async function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string }, what: string, ms = 1500): Promise<Reply> {
  const deadline = Date.now() + ms;
  const failIfLate = (error: unknown): never => {
    if (error instanceof NoAnswer) expect.fail(`${what}: no answer within ${ms} ms`);
    throw error;
  };
  const exchange = send(url, init, ms);
  const response = await exchange.response.catch(failIfLate);
  const body = new Promise<string>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => {
      reject(new NoAnswer());
      exchange.abort();
    }, Math.max(0, deadline - Date.now()));
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => (text += chunk));
    response.once("end", () => {
      clearTimeout(timer);
      resolve(text);
    });
    response.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  const text = await body.catch(failIfLate);
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.statusCode ?? 0, headers: headerReader(response), text, json };
}

/** Every error answer has a JSON body { error } with a non-empty message. */
function expectErrorBody(reply: Reply, why: string): void {
  const error = reply.json?.error;
  if (typeof error === "string" && error !== "") return;
  expect.fail(`${why}, with a non-empty message; got ${reply.status} ${JSON.stringify(reply.text.slice(0, 120))}`);
}

function postJob(base: string, body: unknown, key?: string, what = "POST /jobs") {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key !== undefined) headers["idempotency-key"] = key;
  return request(`${base}/jobs`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) }, `${what} (answer 202 right after enqueue; never wait for the job to run)`);
}

interface OpenStream {
  response: IncomingMessage;
  /** Drops the connection, as a client that goes away does. */
  disconnect: () => void;
}

/** A GET whose time limit covers the headers only: the body is read line by line, each line with a limit of its own. */
async function openStream(url: string, what: string, ms = 1500): Promise<OpenStream> {
  const exchange = send(url, {}, ms);
  try {
    return { response: await exchange.response, disconnect: exchange.abort };
  } catch (error) {
    if (error instanceof NoAnswer) expect.fail(`${what}: no response within ${ms} ms`);
    throw error;
  }
}

/** Reads an NDJSON response line by line, with a time limit per line. */
function lines(stream: OpenStream) {
  const chunks = stream.response[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    async next(what: string, ms = 1500): Promise<string | null> {
      while (!buffer.includes("\n")) {
        let timer: NodeJS.Timeout | undefined;
        const chunk = await Promise.race([
          chunks.next(),
          new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms))),
        ]);
        clearTimeout(timer);
        if (chunk === "timeout") expect.fail(`${what}: nothing arrived within ${ms} ms`);
        if (chunk.done) {
          if (buffer !== "") expect.fail(`the stream ended in the middle of a line (every NDJSON line must end with "\\n"): ${JSON.stringify(buffer)}`);
          return null;
        }
        buffer += decoder.decode(chunk.value, { stream: true });
      }
      const index = buffer.indexOf("\n");
      const line = buffer.slice(0, index);
      buffer = buffer.slice(index + 1);
      return line;
    },
  };
}

function parseLine(line: string | null, what: string): Record<string, unknown> {
  expect(line, `${what}: expected another NDJSON line, but the stream ended`).not.toBeNull();
  let value: unknown;
  try {
    value = JSON.parse(line!);
  } catch {
    expect.fail(`${what}: every NDJSON line must be one complete JSON object, got ${JSON.stringify(line)}`);
  }
  expect(typeof value === "object" && value !== null && !Array.isArray(value), `${what}: each line must be a JSON object`).toBe(true);
  return value as Record<string, unknown>;
}


// --- submitting jobs --------------------------------------------------------------------------

describe("POST /jobs", () => {
  test("[C1] answers 202 with a Location for the new job, without waiting for the job to run", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      const reply = await postJob(base, { items: ["a.csv", "b.csv"] });
      expect(reply.status, "a submitted job is accepted, not done: 202, not 200").toBe(202);
      const id = reply.json?.id;
      expect(typeof id, "the body carries the new job's id").toBe("string");
      expect(reply.json?.status, "the body carries the new job's status").toBe("queued");
      expect(reply.headers.get("location"), "the Location header points at the job's status URL").toBe(`/jobs/${String(id)}`);
      expect(q.enqueued, "exactly one job, with the submitted items").toEqual([{ items: ["a.csv", "b.csv"] }]);
      const status = await request(`${base}/jobs/${String(id)}`, {}, "GET the Location");
      expect(status.status, "the Location must be readable right away").toBe(200);
      expect(status.json, "the status of a job nobody started: queued, nothing done yet").toMatchObject({ id, status: "queued", progress: { done: 0, total: 2 } });
    });
  });

  test("[C2] invalid bodies get 400 and enqueue nothing; the empty string is a valid item", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      for (const body of [{}, { items: [] }, { items: "a.csv" }, { items: [1, 2] }, { items: ["a", null] }, "{not json"]) {
        const reply = await postJob(base, body, undefined, `POST /jobs with ${JSON.stringify(body)}`);
        expect(reply.status, `body ${JSON.stringify(body)} is invalid: 400`).toBe(400);
        expectErrorBody(reply, `body ${JSON.stringify(body)}: errors have a JSON body { error }`);
      }
      expect(q.enqueued, "an invalid request must not enqueue anything").toEqual([]);
      const empty = await postJob(base, { items: [""] }, undefined, 'POST /jobs with { "items": [""] }');
      expect(empty.status, '{ "items": [""] } is one string, a valid body: 202 (check the items with typeof, not by truthiness)').toBe(202);
      expect(q.enqueued, "the valid request is enqueued as sent").toEqual([{ items: [""] }]);
    });
  });

  test("[C2] a POST with no body at all gets 400", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      for (const headers of [{}, { "content-type": "application/json" }] as Array<Record<string, string>>) {
        const what = `POST /jobs with no body${"content-type" in headers ? " (Content-Type: application/json)" : " and no Content-Type"}`;
        const reply = await request(`${base}/jobs`, { method: "POST", headers }, what);
        expect(reply.status, `${what}: no { items } at all is an invalid body: 400 (Express 5 leaves req.body undefined then)`).toBe(400);
        expectErrorBody(reply, `${what}: errors have a JSON body { error }`);
      }
      expect(q.enqueued, "a request without a body must not enqueue anything").toEqual([]);
    });
  });

  test("[C5] an enqueue that rejects with an error carrying a 4xx status still answers 5xx", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      for (const key of [undefined, "key-store-404"]) {
        q.failNextEnqueue(Object.assign(new Error("job store: no such table"), { status: 404 }));
        const what = `POST /jobs${key === undefined ? "" : " with an Idempotency-Key"} whose queue.enqueue() rejects`;
        const reply = await postJob(base, { items: ["a"] }, key, what);
        expect(reply.status >= 500 && reply.status < 600, `${what}: a failed enqueue is the server's fault, a 5xx, even when the error carries a 4xx \`status\` (got ${reply.status}); only errors about the request itself, like malformed JSON, are 4xx`).toBe(true);
        expectErrorBody(reply, `${what}: errors, 5xx included, have a JSON body { error }`);
      }
    });
  });

  test("[C3] without an Idempotency-Key, every POST creates a new job", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      const first = await postJob(base, { items: ["x"] });
      const second = await postJob(base, { items: ["x"] });
      expect(first.json?.id, "two POSTs without a key are two jobs, even with the same body (only the key makes a retry recognisable)").not.toBe(second.json?.id);
      expect(q.enqueued.length, "two POSTs without a key enqueue twice").toBe(2);
    });
  });
});

describe("GET /jobs/:id", () => {
  test("[C14] reports status and progress, the error of a failed job (even an empty one), and 404 for unknown ids", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      const { json } = await postJob(base, { items: ["a", "b", "c"] });
      const id = String(json?.id);
      q.result(id, { file: "a", rows: 3 });
      const running = await request(`${base}/jobs/${id}`, {}, "GET a running job");
      expect(running.json, "progress counts the items done out of the total").toMatchObject({ id, status: "running", progress: { done: 1, total: 3 } });
      expect(running.json && "error" in running.json, "a job without an error has no error field").toBe(false);
      q.end(id, "failed", "b: permission denied");
      const failed = await request(`${base}/jobs/${id}`, {}, "GET a failed job");
      expect(failed.json, "a failed job reports its status and error").toMatchObject({ id, status: "failed", error: "b: permission denied" });
      const other = String((await postJob(base, { items: ["z"] })).json?.id);
      q.end(other, "failed", "");
      const blank = await request(`${base}/jobs/${other}`, {}, "GET a job that failed with an empty error message");
      expect(blank.json, 'the job has an error, even if it is "": report it (test error !== undefined, not its truthiness)').toMatchObject({ id: other, status: "failed", error: "" });
      for (const unknown of ["job-does-not-exist", "constructor", "__proto__"]) {
        const missing = await request(`${base}/jobs/${unknown}`, {}, `GET /jobs/${unknown}`);
        expect(missing.status, `the queue has no job ${unknown}: 404`).toBe(404);
        expectErrorBody(missing, "errors have a JSON body { error }");
      }
    });
  });
});

// --- NDJSON -------------------------------------------------------------------------------------

describe("GET /jobs/:id/results", () => {
  test("[C15] an unknown job id gets 404 at once, never a stream that waits for it", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      for (const unknown of ["job-404", "constructor", "__proto__"]) {
        const reply = await request(`${base}/jobs/${unknown}/results`, {}, `GET /jobs/${unknown}/results for a job the queue does not know (answer 404 at once)`);
        expect(reply.status, `the queue has no job ${unknown}: 404, not a stream`).toBe(404);
        expectErrorBody(reply, "errors have a JSON body { error }");
      }
      expect(q.subscribers("job-404") + q.subscribers("constructor") + q.subscribers("__proto__"), "nothing may subscribe to a job that does not exist").toBe(0);
    });
  });

  test("[C16][C17][C18] streams exactly one JSON object per line, as application/x-ndjson, and the end line carries the job's error", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      const ending = fc.oneof(
        fc.constant<{ status: "completed" | "failed"; error?: string }>({ status: "completed" }),
        fc.constant<{ status: "completed" | "failed"; error?: string }>({ status: "failed" }),
        fc.string({ maxLength: 12 }).map((error) => ({ status: "failed" as const, error })),
        fc.constant({ status: "failed" as const, error: "line one\nline two" }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }), ending, async (values, end) => {
          const { json } = await postJob(base, { items: ["a"] });
          const id = String(json?.id);
          for (const value of values) q.result(id, value);
          q.end(id, end.status, end.error);
          const { headers, text } = await request(`${base}/jobs/${id}/results`, {}, "GET /jobs/:id/results of a finished job");
          expect(headers.get("content-type") ?? "", "NDJSON is served as application/x-ndjson").toMatch(/^application\/x-ndjson/);
          expect(text.endsWith("\n"), "every line, the last one too, ends with \\n").toBe(true);
          const received = text.slice(0, -1).split("\n");
          expect(received.length, `one line per result plus the end line (pretty-printed JSON spreads one object over many lines): ${JSON.stringify(text.slice(0, 120))}`).toBe(values.length + 1);
          received.forEach((line, i) => {
            const object = parseLine(line, `line ${i + 1}`);
            if (i < values.length) {
              expect(object, `line ${i + 1} carries result #${i}`).toEqual({ type: "result", index: i, value: JSON.parse(JSON.stringify(values[i])) });
            } else {
              expect(object, 'the last line says how the job ended, with "error" whenever the job has one (even an empty one)').toEqual({ type: "end", ...end });
            }
          });
        }),
        { numRuns: 10, endOnFailure: true },
      );
    });
  });

  test("[C17][C18] sends each result as it is produced, while the job is still running, then the end line with the error", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      const { json } = await postJob(base, { items: ["a", "b", "c"] });
      const id = String(json?.id);
      q.result(id, "A");
      const response = await openStream(`${base}/jobs/${id}/results`, "GET /jobs/:id/results of a running job (send the headers and each result as it comes, not when the job ends)");
      const stream = lines(response);
      const waitHint = "partial results must be written as they happen, not held back until the job ends";
      expect(parseLine(await stream.next(`the result the job already had (${waitHint})`), "line 1"), "the stream starts with the results already produced").toEqual({ type: "result", index: 0, value: "A" });
      await q.until(() => q.subscribers(id) > 0, 1000);
      q.result(id, "B");
      expect(parseLine(await stream.next(`a result produced after the stream opened (${waitHint})`), "line 2"), "a new result is sent when it happens").toEqual({ type: "result", index: 1, value: "B" });
      q.result(id, "C");
      q.end(id, "failed", "c.csv: disk full\nretry later");
      expect(parseLine(await stream.next("the third result"), "line 3")).toEqual({ type: "result", index: 2, value: "C" });
      expect(parseLine(await stream.next("the end line"), "line 4"), "then the end line, with the job's error: a client watching a failing job must learn why").toEqual({ type: "end", status: "failed", error: "c.csv: disk full\nretry later" });
      expect(await stream.next("the end of the response"), "after the end line the response ends").toBeNull();
      expect(await q.until(() => q.subscribers(id) === 0, 1000), "a finished stream must unsubscribe from the queue").toBe(true);
    });
  });

  test("[C17][C18] a result and the end that happen right after the API read the job are neither lost nor sent twice", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      const { json } = await postJob(base, { items: ["a", "b"] });
      const id = String(json?.id);
      q.result(id, "A");
      // Between the API's queue.get() and whatever it awaits next: a new result, then the end.
      q.afterNextGet(id, () => {
        q.result(id, "B");
        q.end(id, "completed");
      });
      const stream = lines(await openStream(`${base}/jobs/${id}/results`, "GET /jobs/:id/results of a job that ends while the request is being set up"));
      const got: unknown[] = [];
      for (;;) {
        const line = await stream.next("the rest of the stream: the job produced B and ended right after the API read it; subscribe before any await, or read the job again after subscribing, or the stream hangs forever");
        if (line === null) break;
        got.push(parseLine(line, `line ${got.length + 1}`));
      }
      expect(got, "every result exactly once, in order, then the end line: events between reading the job and subscribing must not be lost (nor a snapshot result sent again)").toEqual([
        { type: "result", index: 0, value: "A" },
        { type: "result", index: 1, value: "B" },
        { type: "end", status: "completed" },
      ]);
      expect(await q.until(() => q.subscribers(id) === 0, 1000), "a finished stream must unsubscribe from the queue").toBe(true);
    });
  });

  test("[C17] a result the job already had when read, whose event arrives only after subscribing, is sent once", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      const { json } = await postJob(base, { items: ["a", "b", "c"] });
      const id = String(json?.id);
      q.result(id, "A");
      const late = q.resultUnannounced(id, "B"); // stored: the API's read sees it; its event comes later
      q.afterNextGet(id, () => {
        q.announce(id, late);
        q.result(id, "C");
        q.end(id, "completed");
      });
      const stream = lines(await openStream(`${base}/jobs/${id}/results`, "GET /jobs/:id/results of a job whose result event lags its state"));
      const got: unknown[] = [];
      for (;;) {
        const line = await stream.next("the rest of the stream");
        if (line === null) break;
        got.push(parseLine(line, `line ${got.length + 1}`));
      }
      expect(got, "B was in the job when the API read it, and its event arrived after subscribing: every index exactly once, in order (skip an event whose index was already sent)").toEqual([
        { type: "result", index: 0, value: "A" },
        { type: "result", index: 1, value: "B" },
        { type: "result", index: 2, value: "C" },
        { type: "end", status: "completed" },
      ]);
    });
  });

  test("[C19] a client that disconnects is unsubscribed from the job at once", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      const { json } = await postJob(base, { items: ["a", "b"] });
      const id = String(json?.id);
      q.result(id, "A");
      const client = await openStream(`${base}/jobs/${id}/results`, "GET /jobs/:id/results of a running job");
      const stream = lines(client);
      await stream.next("the first result");
      expect(await q.until(() => q.subscribers(id) === 1, 1000), "an open results stream of a running job subscribes to it").toBe(true);
      client.disconnect();
      expect(await q.until(() => q.subscribers(id) === 0, 1000), "when the client goes away (res 'close'), unsubscribe: a leaked listener per dropped connection is a memory leak").toBe(true);
    });
  });
});

// --- idempotency ---------------------------------------------------------------------------------

describe("Idempotency-Key", () => {
  test("[C7] the same key with the same body returns the same job and enqueues only once", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.uuid(), fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 2, max: 3 }), async (uuid, items, repeats) => {
          const key = `${uuid}-${run++}`; // a fresh key for every run on this server
          const before = q.enqueued.length;
          const first = await postJob(base, { items }, key);
          expect(first.status, "the first request with a key is a normal submission: 202").toBe(202);
          for (let i = 1; i < repeats; i++) {
            const again = await postJob(base, { items }, key, "a retried POST with the same Idempotency-Key");
            expect(again.status, "a retry with the same key and body replays the first answer: 202").toBe(202);
            expect(again.json?.id, "a retry with the same key must return the SAME job id").toBe(first.json?.id);
            expect(again.headers.get("location"), "a retry with the same key returns the same Location").toBe(first.headers.get("location"));
          }
          expect(q.enqueued.length - before, "a retried request must not enqueue a second job").toBe(1);
          const other = await postJob(base, { items }, `${key}-other`);
          expect(other.json?.id, "a different key is a different job").not.toBe(first.json?.id);
        }),
        { numRuns: 8, endOnFailure: true },
      );
    });
  });

  test("[C7] a replay answers 202 with the first job's id and Location even after the queue dropped that job", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      const first = await postJob(base, { items: ["a.csv"] }, "key-dropped");
      const id = String(first.json?.id);
      q.end(id, "completed");
      q.drop(id); // a store that removes finished jobs: queue.get(id) is undefined from now on
      const again = await postJob(base, { items: ["a.csv"] }, "key-dropped", "a retry with the same Idempotency-Key after the queue dropped the job");
      expect(again.status, "a retry with the same key and body is a replay, whether or not the queue still has the job: 202").toBe(202);
      expect(again.json?.id, "the replay returns the first job's id").toBe(id);
      expect(again.headers.get("location"), "the replay returns the first Location").toBe(first.headers.get("location"));
      expect(["queued", "running", "completed", "failed"], "the replay's body is { id, status } with a job status, as in [C1]").toContain(again.json?.status);
      expect(q.enqueued.length, "a replay never enqueues").toBe(1);
    });
  });

  test("[C8] the same key with a different body is refused with 422 and enqueues nothing", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      await postJob(base, { items: ["march.csv"] }, "key-1");
      const reused = await postJob(base, { items: ["april.csv"] }, "key-1");
      expect(reused.status, "reusing a key for a different request is a client error: 422 (IETF draft)").toBe(422);
      expectErrorBody(reused, "errors, 422 included, have a JSON body { error }");
      expect(q.enqueued.length, "a refused request enqueues nothing").toBe(1);
      await postJob(base, { items: ["a,b"] }, "key-2");
      const split = await postJob(base, { items: ["a", "b"] }, "key-2");
      expect(split.status, 'items ["a,b"] and ["a","b"] are different requests: compare the items exactly (e.g. JSON.stringify), not items.join(",")').toBe(422);
      await postJob(base, { items: ["b.csv", "a.csv"] }, "key-3");
      const reordered = await postJob(base, { items: ["a.csv", "b.csv"] }, "key-3");
      expect(reordered.status, "the same items in another order are another request (the export comes out in another order): 422, do not sort before comparing").toBe(422);
      expect(q.enqueued.length, "a refused request enqueues nothing").toBe(3);
    });
  });

  test("[C6] an empty Idempotency-Key is refused with 400 and enqueues nothing", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      for (let i = 0; i < 2; i++) {
        const reply = await postJob(base, { items: ["a.csv"] }, "", "POST /jobs with an empty Idempotency-Key");
        expect(reply.status, "an Idempotency-Key header that is present but empty is a client error: 400 (test the header with === undefined, not with truthiness, or an empty key silently creates a job on every retry)").toBe(400);
        expectErrorBody(reply, "errors have a JSON body { error }");
      }
      expect(q.enqueued, "a request with an empty key must not enqueue anything").toEqual([]);
    });
  });

  test("[C12] keys named like Object.prototype's properties are keys like the others", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      for (const key of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
        const first = await postJob(base, { items: [key] }, key, `the first POST with Idempotency-Key "${key}"`);
        expect(first.status, `the first use of key "${key}" is a normal submission: 202 (a plain object as the key store already "has" ${key})`).toBe(202);
        const again = await postJob(base, { items: [key] }, key, `a retry with Idempotency-Key "${key}"`);
        expect(again.json?.id, `a retry with key "${key}" replays the first job`).toBe(first.json?.id);
        const other = await postJob(base, { items: ["other"] }, key, `another body with Idempotency-Key "${key}"`);
        expect(other.status, `key "${key}" reused for another body: 422`).toBe(422);
      }
      expect(q.enqueued.length, "one job per key").toBe(4);
    });
  });

  test("[C12] any non-empty string is a key, even one that is only a non-breaking space", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base }) => {
      const key = "\u00a0";
      const first = await postJob(base, { items: ["a.csv"] }, key, "the first POST with Idempotency-Key U+00A0 (a non-breaking space)");
      expect(first.status, "a key of one non-breaking space is not empty: a normal 202 (compare the key with \"\", do not trim it)").toBe(202);
      const again = await postJob(base, { items: ["a.csv"] }, key, "a retry with Idempotency-Key U+00A0");
      expect(again.json?.id, "a retry with the same key replays the first job").toBe(first.json?.id);
      expect(q.enqueued.length, "one job for the key").toBe(1);
    });
  });

  test("[C9] a duplicate arriving while the first request is still enqueueing gets 409, and only one job is created", async () => {
    const q = fakeQueue({ holdFirstEnqueue: true });
    await withApi({ queue: q.queue }, async ({ base }) => {
      const first = postJob(base, { items: ["big.csv"] }, "key-race");
      first.catch(() => {});
      try {
        const started = await q.until(() => q.enqueued.length === 1, 1500);
        expect(started, "the first request should reach queue.enqueue()").toBe(true);
        // The first enqueue() is held open; any other enqueue() resolves at once.
        const second = await postJob(base, { items: ["big.csv"] }, "key-race", "a duplicate while the first is still enqueueing");
        expect(q.enqueued.length, "the duplicate called queue.enqueue() again while the first was still in progress: record the key BEFORE awaiting enqueue()").toBe(1);
        expect(second.status, "a request with a key whose first request is still in progress gets 409 Conflict").toBe(409);
        expectErrorBody(second, "errors, 409 included, have a JSON body { error }");
      } finally {
        q.releaseEnqueues();
      }
      const done = await first;
      expect(done.status, "the first request completes normally once enqueue() resolves").toBe(202);
      expect(q.enqueued.length, "exactly one job for two concurrent requests with the same key").toBe(1);
      const later = await postJob(base, { items: ["big.csv"] }, "key-race");
      expect(later.json?.id, "after the first request completed, the key replays its job").toBe(done.json?.id);
    });
  });

  test("[C10][C5] a key is forgotten when its first enqueue failed, so the retry can succeed", async () => {
    const q = fakeQueue({ failNextEnqueue: true });
    await withApi({ queue: q.queue }, async ({ base }) => {
      const failed = await postJob(base, { items: ["a"] }, "key-retry");
      expect(failed.status, "a failed enqueue is a server error").toBeGreaterThanOrEqual(500);
      expectErrorBody(failed, "errors, 500 included, have a JSON body { error }");
      const retry = await postJob(base, { items: ["a"] }, "key-retry");
      expect(retry.status, "nothing was created the first time: the retry with the same key must be accepted (202), not 409 forever").toBe(202);
      expect(q.enqueued.length, "the retry enqueues the job").toBe(2);
    });
  });

  test("[C11] a key expires idempotencyTtlMs after its first use, on the injected clock, at that instant exactly", async () => {
    const q = fakeQueue();
    const clock = new FakeClock();
    await withApi({ queue: q.queue, clock, idempotencyTtlMs: 60_000 }, async ({ base }) => {
      const first = await postJob(base, { items: ["a"] }, "key-ttl");
      await clock.advance(59_999);
      const within = await postJob(base, { items: ["a"] }, "key-ttl");
      expect(within.json?.id, "59.999 s into a 60 s TTL, the key still returns the first job").toBe(first.json?.id);
      await clock.advance(1);
      const after = await postJob(base, { items: ["a"] }, "key-ttl");
      expect(after.status, "at the TTL the key is new again: a normal 202").toBe(202);
      expect(after.json?.id, "60 s after its first use (TTL 60 s, on the injected clock), the key's time is up: it must create a new job").not.toBe(first.json?.id);
      expect(q.enqueued.length, "two jobs: the first one and the one after the TTL").toBe(2);
    });
  });

  test("[C11] the default TTL is 24 hours; an explicit TTL of 0 never replays a key but still answers 409 to a concurrent duplicate", async () => {
    const day = 24 * 60 * 60 * 1000;
    let q = fakeQueue();
    let clock = new FakeClock();
    await withApi({ queue: q.queue, clock }, async ({ base }) => {
      const first = await postJob(base, { items: ["a"] }, "key-day");
      await clock.advance(day - 1);
      const within = await postJob(base, { items: ["a"] }, "key-day");
      expect(within.json?.id, "without idempotencyTtlMs a key lives 24 h: 1 ms before, it still replays").toBe(first.json?.id);
      await clock.advance(1);
      const after = await postJob(base, { items: ["a"] }, "key-day");
      expect(after.json?.id, "24 h after its first use the key is new again").not.toBe(first.json?.id);
    });
    q = fakeQueue({ holdFirstEnqueue: true });
    clock = new FakeClock();
    await withApi({ queue: q.queue, clock, idempotencyTtlMs: 0 }, async ({ base }) => {
      const pending = postJob(base, { items: ["a"] }, "key-zero");
      pending.catch(() => {});
      try {
        expect(await q.until(() => q.enqueued.length === 1, 1500), "the first request should reach queue.enqueue()").toBe(true);
        const duplicate = await postJob(base, { items: ["a"] }, "key-zero", "a duplicate while the first is still enqueueing, TTL 0");
        expect(duplicate.status, "a key whose first request is still enqueueing gets 409 whatever the TTL: a TTL of 0 must not let a concurrent duplicate through").toBe(409);
      } finally {
        q.releaseEnqueues();
      }
      const first = await pending;
      const second = await postJob(base, { items: ["a"] }, "key-zero");
      expect(second.status, "with idempotencyTtlMs: 0 a finished key is never replayed: a normal 202").toBe(202);
      expect(second.json?.id, "idempotencyTtlMs: 0 is a TTL of zero, not 'use the default': a new job every time").not.toBe(first.json?.id);
    });
  });

  test("[C13] every keyed POST drops expired keys: a replay or a 422 too, not only a request with a new key", async () => {
    const q = fakeQueue();
    const clock = new FakeClock();
    await withApi({ queue: q.queue, clock, idempotencyTtlMs: 1000 }, async ({ base, api }) => {
      for (let i = 0; i < 5; i++) await postJob(base, { items: ["a"] }, `old-${i}`);
      await clock.advance(600);
      await postJob(base, { items: ["a"] }, "live");
      await clock.advance(400); // the five old keys expire now; "live" has 600 ms left
      const replay = await postJob(base, { items: ["a"] }, "live", "a replay of a live key");
      expect(replay.status, "a live key replays").toBe(202);
      expect(api.idempotencyKeyCount(), "the replay was a keyed POST: the five expired keys must be gone, only \"live\" is left").toBe(1);
      for (let i = 0; i < 3; i++) await postJob(base, { items: ["a"] }, `newer-${i}`);
      await clock.advance(600);
      await postJob(base, { items: ["a"] }, "anchor");
      await clock.advance(400); // "live" and the three newer keys expire now; "anchor" has 600 ms left
      const refused = await postJob(base, { items: ["other"] }, "anchor", "a live key reused with another body");
      expect(refused.status, "a live key with another body: 422").toBe(422);
      expect(api.idempotencyKeyCount(), "the 422 was a keyed POST too: the expired keys must be gone, only \"anchor\" is left").toBe(1);
    });
  });

  test("[C13] a key still enqueueing does not keep the expired keys behind it in memory", async () => {
    const q = fakeQueue({ holdFirstEnqueue: true });
    const clock = new FakeClock();
    await withApi({ queue: q.queue, clock, idempotencyTtlMs: 1000 }, async ({ base, api }) => {
      const slow = postJob(base, { items: ["slow"] }, "slow-key");
      slow.catch(() => {});
      try {
        expect(await q.until(() => q.enqueued.length === 1, 1500), "the first request should reach queue.enqueue()").toBe(true);
        for (let i = 0; i < 4; i++) await postJob(base, { items: ["a"] }, `done-${i}`);
        await clock.advance(1000);
        await postJob(base, { items: ["a"] }, "fresh");
        expect(api.idempotencyKeyCount(), "the four finished keys expired and must be dropped, even though an older key is still enqueueing: what is left is that pending key and the fresh one").toBe(2);
      } finally {
        q.releaseEnqueues();
      }
      expect((await slow).status, "the slow request completes normally").toBe(202);
    });
  });

  test("[C13] expired keys are dropped from memory, not only when the same key comes back", async () => {
    const q = fakeQueue();
    const clock = new FakeClock();
    await withApi({ queue: q.queue, clock, idempotencyTtlMs: 1000 }, async ({ base, api }) => {
      for (let i = 0; i < 6; i++) await postJob(base, { items: ["a"] }, `unique-${i}`);
      expect(api.idempotencyKeyCount(), "six keys used within the TTL are all remembered").toBe(6);
      await clock.advance(1000);
      await postJob(base, { items: ["a"] }, "fresh-key");
      expect(api.idempotencyKeyCount(), "the six keys expired and were never seen again: the next keyed POST must drop them (a Map that only forgets a key when that same key comes back grows forever)").toBe(1);
    });
  });
});

// --- shutting down -----------------------------------------------------------------------------

describe("shutdown", () => {
  test("[C21] streams that already ended are not touched by beginShutdown()", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base, api, writesAfterEnd }) => {
      const finished = String((await postJob(base, { items: ["a"] })).json?.id);
      const stream = lines(await openStream(`${base}/jobs/${finished}/results`, "GET /jobs/:id/results of a running job"));
      await q.until(() => q.subscribers(finished) > 0, 1000);
      q.end(finished, "completed");
      expect(parseLine(await stream.next("the end line"), "the end line")).toEqual({ type: "end", status: "completed" });
      expect(await stream.next("the end of the response"), "the stream ends after its end line").toBeNull();
      const left = String((await postJob(base, { items: ["b"] })).json?.id);
      const client = await openStream(`${base}/jobs/${left}/results`, "GET /jobs/:id/results of a running job");
      await q.until(() => q.subscribers(left) > 0, 1000);
      client.disconnect();
      await q.until(() => q.subscribers(left) === 0, 1000);
      api.beginShutdown();
      await new Promise((resolve) => setImmediate(resolve));
      expect(writesAfterEnd(), "beginShutdown() wrote into a response that had already ended: forget a stream once it ends (a list of every stream ever opened also grows forever)").toBe(0);
    });
  });

  test("[C4][C20][C21] while shutting down: POST gets 503 with Retry-After, GET still works, open streams end", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue, retryAfterSeconds: 7 }, async ({ base, api }) => {
      const { json } = await postJob(base, { items: ["a", "b"] });
      const id = String(json?.id);
      q.result(id, "A");
      const response = await openStream(`${base}/jobs/${id}/results`, "GET /jobs/:id/results of a running job (send the headers and each result as it comes, not when the job ends)");
      const stream = lines(response);
      await stream.next("the first result");
      await q.until(() => q.subscribers(id) > 0, 1000);
      api.beginShutdown();
      const last = parseLine(await stream.next("the line sent when the server starts shutting down"), "after beginShutdown()");
      expect(last, "an open stream gets a last {\"type\":\"shutdown\"} line").toEqual({ type: "shutdown" });
      expect(await stream.next("the end of the stream after shutdown"), "and then ends, so server.close() can finish").toBeNull();
      expect(q.subscribers(id), "a stream ended by the shutdown is unsubscribed from the queue").toBe(0);
      api.beginShutdown();
      const refused = await postJob(base, { items: ["c"] });
      expect(refused.status, "no new work is accepted while shutting down: 503").toBe(503);
      expect(refused.headers.get("retry-after"), "a 503 tells clients when to come back: Retry-After in seconds").toBe("7");
      expectErrorBody(refused, "errors have a JSON body { error }");
      expect(q.enqueued.length, "a refused POST must not enqueue").toBe(1);
      const status = await request(`${base}/jobs/${id}`, {}, "GET during shutdown");
      expect(status.status, "reads keep working while shutting down").toBe(200);
    });
  });

  test("[C4] Retry-After defaults to 5 seconds, and an explicit 0 is sent as 0", async () => {
    for (const [retryAfterSeconds, want] of [[undefined, "5"], [0, "0"]] as const) {
      const q = fakeQueue();
      await withApi({ queue: q.queue, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) }, async ({ base, api }) => {
        api.beginShutdown();
        const refused = await postJob(base, { items: ["c"] }, "key-late");
        expect(refused.status, "no new work is accepted while shutting down: 503").toBe(503);
        expect(refused.headers.get("retry-after"), retryAfterSeconds === undefined ? "without retryAfterSeconds, Retry-After is 5" : "retryAfterSeconds: 0 means Retry-After: 0, not the default (test for undefined, not truthiness)").toBe(want);
        expect(q.enqueued, "a refused POST must not enqueue").toEqual([]);
      });
    }
  });

  test("[C22] a results stream requested after beginShutdown() ends at once: results, then the shutdown line or the end line", async () => {
    const q = fakeQueue();
    await withApi({ queue: q.queue }, async ({ base, api }) => {
      const running = String((await postJob(base, { items: ["a", "b"] })).json?.id);
      q.result(running, "A");
      const finished = String((await postJob(base, { items: ["x"] })).json?.id);
      q.result(finished, "X");
      q.end(finished, "failed", "x: gone");
      api.beginShutdown();
      const live = await request(`${base}/jobs/${running}/results`, {}, "GET /jobs/:id/results of a running job after beginShutdown() (a stream opened now is never ended by the shutdown, so it must end at once)");
      expect(live.status, "reads keep working while shutting down").toBe(200);
      expect(live.text.split("\n").filter(Boolean).map((line) => parseLine(line, "a line of a stream opened after beginShutdown()")), "the results so far, then the shutdown line, and the response ends").toEqual([
        { type: "result", index: 0, value: "A" },
        { type: "shutdown" },
      ]);
      expect(q.subscribers(running), "a stream opened after beginShutdown() must not stay subscribed").toBe(0);
      const done = await request(`${base}/jobs/${finished}/results`, {}, "GET /jobs/:id/results of a finished job after beginShutdown()");
      expect(done.text.split("\n").filter(Boolean).map((line) => parseLine(line, "a line of a finished job's stream")), "a job that already ended gets its results and its end line, shutting down or not").toEqual([
        { type: "result", index: 0, value: "X" },
        { type: "end", status: "failed", error: "x: gone" },
      ]);
    });
  });
});
