// BullMQ 6.7 on a real Redis: priorities, retries with backoff, the limiter, a
// parent/children flow, worker.close() draining an active job, and events
// feeding a prom-client counter.
//
// Real Redis means real time and real concurrency, so this program prints only
// facts that do not depend on scheduling: processing orders with concurrency 1
// (where BullMQ defines the order), counts, states, and comparisons such as
// "at least 300 ms apart" instead of the milliseconds themselves.

import { randomUUID } from "node:crypto";
import { Backoffs, FlowProducer, Queue, QueueEvents, Worker, type Job } from "bullmq";
import { Counter, Registry } from "prom-client";
import { redisUrl } from "#kit/services.ts";
import { Redis } from "ioredis";

const connection = { url: redisUrl() };
// Every run gets its own key prefix, so two runs against one Redis never meet.
const prefix = `qc-${randomUUID()}`;
const toClose: Array<{ close(): Promise<void> }> = [];
const queues: Queue[] = [];

function queue(name: string): Queue {
  const q = new Queue(name, { connection, prefix });
  queues.push(q);
  return q;
}

function worker(name: string, processor: (job: Job) => Promise<unknown>, opts: Record<string, unknown> = {}): Worker {
  // autorun: false lets us add every job first and then start, so the
  // processing order shows BullMQ's rules, not who got there first.
  const w = new Worker(name, processor, { connection, prefix, concurrency: 1, autorun: false, ...opts });
  toClose.push(w);
  return w;
}

/** Resolves once `check` is true, polling; fails loudly instead of hanging. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms; // real time only bounds the wait; nothing printed depends on it
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

console.log("== BullMQ on a real Redis ==");
const admin = new Redis(redisUrl());
const [, policy] = (await admin.config("GET", "maxmemory-policy")) as [string, string];
console.log(`maxmemory-policy: ${policy} (anything else lets Redis evict job keys)`);
await admin.quit();

// ---------------------------------------------------------------------------
console.log("\n-- 1. priorities: lower number first, none before any --");
{
  const q = queue("prio");
  const added: Array<[string, number | undefined]> = [
    ["report", 10],
    ["alert", 1],
    ["digest", undefined],
    ["sync", 5],
    ["audit", 1],
  ];
  for (const [name, priority] of added) await q.add(name, {}, priority === undefined ? {} : { priority });
  console.log(`added: ${added.map(([n, p]) => `${n}(${p ?? "none"})`).join(" ")}`);
  const order: string[] = [];
  const w = worker("prio", async (job) => void order.push(job.name));
  void w.run();
  await until("5 priority jobs", () => order.length === 5);
  console.log(`processed: ${order.join(" ")}`);
  await w.close();
}

// ---------------------------------------------------------------------------
console.log("\n-- 2. attempts + exponential backoff --");
{
  const backoff = { type: "exponential", delay: 1000 } as const;
  const waits = [1, 2, 3].map((attemptsMade) => Backoffs.calculate(backoff, attemptsMade, new Error("x"), {} as Job));
  console.log(`backoff ${JSON.stringify(backoff)} waits: ${waits.join(", ")} ms`);
  const q = queue("retry");
  const job = await q.add("flaky", {}, { attempts: 3, backoff: { type: "exponential", delay: 20 } });
  let calls = 0;
  let failedEvents = 0;
  const w = worker("retry", async () => {
    calls++;
    if (calls < 3) throw new Error(`upstream 503 (call ${calls})`);
    return "ok";
  });
  w.on("failed", () => failedEvents++);
  void w.run();
  await until("flaky job to finish", async () => (await q.getJobState(job.id!)) === "completed");
  const done = await q.getJob(job.id!);
  console.log(`attempts: 3 -> handler calls: ${calls}, attemptsMade: ${done!.attemptsMade}, state: completed`);
  console.log(`worker 'failed' events: ${failedEvents} (one per failed attempt, retried or not)`);
  await w.close();
}

// ---------------------------------------------------------------------------
console.log("\n-- 3. limiter {max: 2, duration: 300} --");
{
  const q = queue("limited");
  for (let i = 1; i <= 6; i++) await q.add(`call-${i}`, {});
  const w = worker("limited", async () => "sent", { limiter: { max: 2, duration: 300 } });
  void w.run();
  await until("6 limited jobs", async () => (await q.getCompletedCount()) === 6);
  const jobs = (await q.getJobs(["completed"])).sort((a, b) => a.processedOn! - b.processedOn!);
  const starts = jobs.map((j) => j.processedOn!);
  // Jobs 1-2 share a window, 3-4 the next, 5-6 the last: each window opens
  // only after the previous one (300 ms) has expired.
  const apart = [2, 4].every((i) => starts[i]! - starts[i - 2]! >= 300 - 2);
  console.log(`6 jobs completed; each pair started >= 300 ms after the previous pair: ${apart}`);
  console.log(`first to last start >= 600 ms: ${starts[5]! - starts[0]! >= 600 - 2}`);
  await w.close();
}

// ---------------------------------------------------------------------------
console.log("\n-- 4. a flow: the parent runs after its children --");
{
  queue("invoices");
  queue("lines");
  const flows = new FlowProducer({ connection, prefix });
  toClose.push(flows);
  const tree = await flows.add({
    name: "invoice",
    queueName: "invoices",
    data: { invoice: "inv-7" },
    children: [
      { name: "line-items", queueName: "lines", data: { cents: 1500 } },
      { name: "tax", queueName: "lines", data: { cents: 300 } },
    ],
  });
  console.log(`parent state after add: ${await tree.job.getState()}`);
  const order: string[] = [];
  let values: number[] = [];
  const children = worker("lines", async (job) => {
    order.push(`child:${job.name}`);
    return job.data.cents as number;
  });
  const parents = worker("invoices", async (job) => {
    // Keys are "<prefix>:<queue>:<job id>"; only the values matter here.
    values = Object.values(await job.getChildrenValues<number>());
    order.push(`parent:${job.name}`);
    return values.reduce((a, b) => a + b, 0);
  });
  void parents.run();
  void children.run();
  await until("the parent", async () => (await tree.job.getState()) === "completed");
  console.log(`order: ${order.slice(0, 2).sort().join(", ")} -> ${order[2]}`);
  console.log(`getChildrenValues: [${values.sort((a, b) => a - b).join(", ")}]`);
  console.log(`parent's return value (invoice total): ${(await flows.getFlow({ id: tree.job.id!, queueName: "invoices", prefix })).job.returnvalue}`);
  await Promise.all([children.close(), parents.close()]);
}

// ---------------------------------------------------------------------------
console.log("\n-- 5. worker.close() drains the active job --");
{
  const q = queue("drain");
  const events: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const active = new Promise<void>((resolve) => (started = resolve));
  const w = worker("drain", async (job) => {
    started();
    await gate; // stands for a slow upload
    events.push(`${job.name} finished`);
  });
  await q.add("slow", {});
  void w.run();
  await active;
  console.log("'slow' is active; calling worker.close()");
  let closed = false;
  const closing = w.close().then(() => {
    closed = true;
    events.push("close() resolved");
  });
  await q.add("late", {});
  await new Promise((r) => setTimeout(r, 50));
  console.log(`'late' added while closing; close() resolved yet: ${closed}`);
  release();
  await closing;
  console.log(`events: ${events.join(" -> ")}`);
  const late = (await q.getJobs(["wait"])).map((j) => j.name);
  console.log(`waiting after close: [${late.join(", ")}] (the next worker will take it)`);
}

// ---------------------------------------------------------------------------
console.log("\n-- 6. events -> prom-client --");
{
  const registry = new Registry();
  const jobsTotal = new Counter({
    name: "queuecraft_jobs_total",
    help: "Jobs finished by this worker, by job name and outcome.",
    labelNames: ["job", "status"] as const,
    registers: [registry],
  });
  const queueFinished = new Counter({
    name: "queuecraft_queue_events_total",
    help: "Finished jobs seen on the queue's event stream, from any worker.",
    labelNames: ["event"] as const,
    registers: [registry],
  });
  const q = queue("metrics");
  // lastEventId "0" replays the stream from its start: no event lost to a race.
  const queueEvents = new QueueEvents("metrics", { connection, prefix, lastEventId: "0" });
  toClose.push(queueEvents);
  queueEvents.on("completed", () => queueFinished.inc({ event: "completed" }));
  queueEvents.on("failed", () => queueFinished.inc({ event: "failed" }));
  const w = worker("metrics", async (job) => {
    if (job.name === "charge" && job.data.n === 3) throw new Error("card declined");
    return "ok";
  });
  w.on("completed", (job) => jobsTotal.inc({ job: job.name, status: "completed" }));
  w.on("failed", (job) => jobsTotal.inc({ job: job?.name ?? "unknown", status: "failed" }));
  for (let n = 1; n <= 4; n++) await q.add("charge", { n }, { removeOnComplete: true, removeOnFail: 100 });
  await q.add("email", {}, { removeOnComplete: true });
  void w.run();
  await until("metrics events", async () => {
    const values = (await queueFinished.get()).values;
    return values.reduce((a, v) => a + v.value, 0) === 5;
  });
  const lines = (await registry.metrics()).trim().split("\n");
  for (const line of lines.filter((l) => l !== "" && !l.startsWith("#")).sort()) console.log(line);
  const counts = await q.getJobCounts("completed", "failed");
  console.log(`kept in Redis: completed=${counts.completed} failed=${counts.failed} (removeOnComplete: true)`);
  await w.close();
}

// ---------------------------------------------------------------------------
for (const c of toClose) await c.close();
for (const q of queues) {
  await q.obliterate({ force: true });
  await q.close();
}
console.log("\nall queues obliterated, every connection closed");
