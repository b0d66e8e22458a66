// An Express 5 jobs API on a real loopback port (port 0: whatever is free),
// exercised with fetch. Jobs run on a FakeClock, so every "t=" below is exact.
// The port is never printed: it changes on every run.
import express, { type Request, type Response } from "express";
import type { AddressInfo } from "node:net";
import { FakeClock } from "#kit/clock.ts";
import { ExportQueue } from "./export-queue.ts";

const clock = new FakeClock();
const queue = new ExportQueue(clock);
let shuttingDown = false;
let previewDone: (summary: string) => void = () => {};

const app = express();
app.use(express.json());
const line = (value: object) => `${JSON.stringify(value)}\n`; // one object per line, never pretty-printed

app.post("/jobs", (req: Request, res: Response) => {
  if (shuttingDown) {
    res.set("Retry-After", "5").status(503).json({ error: "shutting down" });
    return;
  }
  const job = queue.enqueue(req.body.items);
  // Accepted, not done: answer now, let the client poll the Location.
  res.status(202).location(`/jobs/${job.id}`).json({ id: job.id, status: job.status });
});

app.get("/jobs/:id", (req: Request<{ id: string }>, res: Response) => {
  const job = queue.get(req.params.id);
  if (!job) return void res.status(404).json({ error: "no such job" });
  res.json({ id: job.id, status: job.status, progress: { done: job.results.length, total: job.items.length } });
});

app.get("/jobs/:id/results", (req: Request<{ id: string }>, res: Response) => {
  const job = queue.get(req.params.id);
  if (!job) return void res.status(404).json({ error: "no such job" });
  res.status(200).set("Content-Type", "application/x-ndjson").flushHeaders();
  job.results.forEach((value, index) => res.write(line({ type: "result", index, value })));
  const unsubscribe = queue.subscribe(job.id, (event) => {
    res.write(line(event));
    if (event.type === "end") {
      unsubscribe();
      res.end();
    }
  });
  res.on("close", unsubscribe); // client gone: the job goes on, only this watcher stops
});

// Inline work streamed to the caller: here a disconnect must stop the work.
app.post("/preview", async (req: Request, res: Response) => {
  const items: string[] = req.body.items;
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort(); // closed before we ended it: the client left
  });
  res.status(200).set("Content-Type", "application/x-ndjson").flushHeaders();
  let done = 0;
  try {
    for (const file of items) {
      await clock.sleep(100, controller.signal);
      res.write(line({ type: "preview", index: done++, file }));
    }
    res.end();
    previewDone(`preview finished all ${items.length} items`);
  } catch {
    previewDone(`res 'close' before the end -> aborted; stopped after ${done} of ${items.length} items`);
  }
});

const server = app.listen(0, "127.0.0.1");
await new Promise<void>((resolve) => server.once("listening", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// --- small client helpers -------------------------------------------------------------------
async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: (await response.text()).trim() };
}

function lineReader(response: globalThis.Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    async next(): Promise<string | undefined> {
      while (!buffer.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) return undefined;
        buffer += decoder.decode(value, { stream: true });
      }
      const [first, ...rest] = buffer.split("\n");
      buffer = rest.join("\n");
      return first;
    },
  };
}

const items = ["jan.csv", "feb.csv", "mar.csv"];

console.log("== 1. Submit: 202 + Location, the work happens later ==");
const created = await call("POST", "/jobs", { items });
console.log(`POST /jobs ${JSON.stringify({ items })}`);
console.log(`  ${created.status} Location: ${created.headers.get("location")} ${created.text}`);
const polled = await call("GET", "/jobs/job-1");
console.log(`GET /jobs/job-1 -> ${polled.status} ${polled.text}`);

console.log("");
console.log("== 2. Partial results as NDJSON while the job runs ==");
const stream = await fetch(`${base}/jobs/job-1/results`);
console.log(`GET /jobs/job-1/results -> ${stream.status} ${stream.headers.get("content-type")}`);
const results = lineReader(stream);
for (let i = 0; i < items.length; i++) {
  await clock.advance(100);
  console.log(`  t=${clock.now()} ms  ${await results.next()}`);
  if (i === 0) console.log(`  t=${clock.now()} ms  (GET /jobs/job-1 -> ${(await call("GET", "/jobs/job-1")).text})`);
}
console.log(`  t=${clock.now()} ms  ${await results.next()}`);
console.log(`  stream ended: ${(await results.next()) === undefined}, subscribers left: ${queue.subscribers("job-1")}`);

console.log("");
console.log("== 3. The response got lost, the client retried (no Idempotency-Key) ==");
for (let attempt = 1; attempt <= 2; attempt++) {
  const retry = await call("POST", "/jobs", { items: ["apr.csv"] });
  console.log(`  attempt ${attempt}: ${retry.status} Location: ${retry.headers.get("location")}`);
}
console.log("  one intent, two jobs: the challenge fixes this with Idempotency-Key");

console.log("");
console.log("== 4. The client disconnects: the inline work is aborted ==");
const serverSide = new Promise<string>((resolve) => (previewDone = resolve));
const client = new AbortController();
const preview = await fetch(`${base}/preview`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ items: ["a", "b", "c", "d", "e"] }),
  signal: client.signal,
});
const previewLines = lineReader(preview);
for (let i = 0; i < 2; i++) {
  await clock.advance(100);
  console.log(`  client got: ${await previewLines.next()}`);
}
client.abort();
console.log("  client: abort()");
console.log(`  server: ${await serverSide}`);

console.log("");
console.log("== 5. Shutting down ==");
shuttingDown = true;
const refused = await call("POST", "/jobs", { items });
console.log(`POST /jobs -> ${refused.status} Retry-After: ${refused.headers.get("retry-after")} ${refused.text}`);
const stillReadable = await call("GET", "/jobs/job-1");
console.log(`GET /jobs/job-1 -> ${stillReadable.status} (reads keep working while draining)`);
await new Promise<void>((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
});
console.log("server closed");
