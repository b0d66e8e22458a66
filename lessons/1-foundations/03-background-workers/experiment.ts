// A job queue and a worker, on a fake clock: every time printed is exact and
// the same on every run (no Date.now(), no real timers).
import { FakeClock } from "#kit/clock.ts";

type State = "waiting" | "active" | "completed" | "failed";
type Job = { id: number; type: string; data: unknown; state: State; attempts: number; maxAttempts: number };
type Event = { kind: "added" | "started" | "completed" | "retrying" | "failed"; job: Job; detail?: string };
type Handler = (data: unknown, attempt: number) => Promise<unknown>;

const clock = new FakeClock();

class Queue {
  jobs: Job[] = [];
  line: Job[] = [];
  listeners: Array<(event: Event) => void> = [];
  #emit(event: Event) {
    for (const listen of this.listeners) listen(event);
  }
  add(type: string, data: unknown, maxAttempts = 1): Job {
    const job: Job = { id: this.jobs.length + 1, type, data, state: "waiting", attempts: 0, maxAttempts };
    this.jobs.push(job);
    this.line.push(job);
    this.#emit({ kind: "added", job });
    return job;
  }
  take(): Job | undefined {
    const job = this.line.shift();
    if (!job) return undefined;
    job.state = "active";
    job.attempts++;
    this.#emit({ kind: "started", job });
    return job;
  }
  finish(job: Job, outcome: { ok: true; result: unknown } | { ok: false; error: string; retry: boolean }) {
    if (outcome.ok) {
      job.state = "completed";
      this.#emit({ kind: "completed", job, detail: JSON.stringify(outcome.result) });
    } else if (outcome.retry && job.attempts < job.maxAttempts) {
      job.state = "waiting";
      this.line.push(job); // back of the line
      this.#emit({ kind: "retrying", job, detail: outcome.error });
    } else {
      job.state = "failed";
      this.#emit({ kind: "failed", job, detail: outcome.error });
    }
  }
  /** Stats as a view of the jobs' states: they cannot disagree with the jobs. */
  stats() {
    const s = { waiting: 0, active: 0, completed: 0, failed: 0 };
    for (const job of this.jobs) s[job.state]++;
    return { enqueued: this.jobs.length, ...s };
  }
}

async function work(queue: Queue, handlers: Map<string, Handler>): Promise<void> {
  for (let job = queue.take(); job; job = queue.take()) {
    const handler = handlers.get(job.type);
    if (!handler) {
      queue.finish(job, { ok: false, error: `no handler for "${job.type}"`, retry: false });
      continue;
    }
    try {
      queue.finish(job, { ok: true, result: await handler(job.data, job.attempts) });
    } catch (error) {
      queue.finish(job, { ok: false, error: error instanceof Error ? error.message : String(error), retry: true });
    }
  }
}

// --- 1. five jobs, one worker ------------------------------------------------------
console.log("== 1. five jobs, one worker; [waiting active completed failed = sum/enqueued] ==");
const queue = new Queue();
queue.listeners.push(({ kind, job, detail }) => {
  const s = queue.stats();
  const sum = s.waiting + s.active + s.completed + s.failed;
  const what = {
    added: job.maxAttempts > 1 ? `added (maxAttempts ${job.maxAttempts})` : "added",
    started: `attempt ${job.attempts}/${job.maxAttempts} started`,
    completed: `completed ${detail}`,
    retrying: `attempt ${job.attempts} failed (${detail}), requeued`,
    failed: `failed: ${detail}`,
  }[kind];
  const counts = `[${s.waiting} ${s.active} ${s.completed} ${s.failed} = ${sum}/${s.enqueued}]`;
  console.log(`t=${String(clock.now()).padStart(4)}  ${counts}  #${job.id} ${job.type.padEnd(12)} ${what}`);
});

let partnerCalls = 0;
const handlers = new Map<string, Handler>([
  ["send-email", async (data) => (await clock.sleep(100), { sent: (data as { to: string }).to })],
  ["resize-image", async () => (await clock.sleep(250), { width: 320 })],
  ["report", async () => (await clock.sleep(400), { pages: 12 })],
  [
    "webhook",
    async () => {
      await clock.sleep(200);
      if (++partnerCalls < 3) throw new Error("HTTP 503");
      return { delivered: true };
    },
  ],
]);

queue.add("send-email", { to: "ada@example.com" });
queue.add("resize-image", { path: "/uploads/cat.png" });
queue.add("webhook", { url: "https://partner.example/hook" }, 3);
queue.add("send-sms", { to: "+15555550100" }); // no handler is registered for this type
queue.add("report", { month: "2024-03" });

const worker = work(queue, handlers);
await clock.runAll();
await worker;

// --- 2. what "3" means -----------------------------------------------------------------
console.log('\n== 2. what "3" means: attempts or retries ==');
const runsUntilFailed = async (maxAttempts: number): Promise<number> => {
  const q = new Queue();
  const job = q.add("always-fails", {}, maxAttempts);
  await work(q, new Map([["always-fails", async () => Promise.reject(new Error("down"))]]));
  return job.attempts;
};
console.log(`maxAttempts 3 (BullMQ attempts: 3, Oban max_attempts: 3): ${await runsUntilFailed(3)} runs`);
console.log(`3 retries (Sidekiq retry: 3, pg-boss retryLimit: 3), maxAttempts 4: ${await runsUntilFailed(4)} runs`);

// --- 3. counting attempts instead of jobs ---------------------------------------------------
console.log("\n== 3. the same kind of run, with counters updated by hand ==");
const counted = new Queue();
const naive = { waiting: 0, active: 0, completed: 0, failed: 0 };
let firstMismatch = "";
counted.listeners.push(({ kind, job }) => {
  if (kind === "added") naive.waiting++;
  if (kind === "started") (naive.waiting--, naive.active++);
  if (kind === "completed") (naive.active--, naive.completed++);
  if (kind === "failed") (naive.active--, naive.failed++);
  if (kind === "retrying") (naive.active--, naive.failed++, naive.waiting++); // "a failed attempt is a failure"
  const sum = naive.waiting + naive.active + naive.completed + naive.failed;
  if (!firstMismatch && sum !== counted.jobs.length) firstMismatch = `first wrong after job #${job.id} was retried: sum ${sum}, enqueued ${counted.jobs.length}`;
});
partnerCalls = 0;
counted.add("send-email", { to: "grace@example.com" });
counted.add("webhook", { url: "https://partner.example/hook" }, 3);
counted.add("resize-image", { path: "/uploads/dog.png" });
const second = work(counted, handlers);
await clock.runAll();
await second;
const s = counted.stats();
console.log(`from job states: waiting ${s.waiting}, active ${s.active}, completed ${s.completed}, failed ${s.failed} (enqueued ${s.enqueued})`);
console.log(`by hand:         waiting ${naive.waiting}, active ${naive.active}, completed ${naive.completed}, failed ${naive.failed}`);
console.log(firstMismatch);
