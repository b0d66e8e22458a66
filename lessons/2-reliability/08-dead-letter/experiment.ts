// A dead-letter queue in a few dozen lines: jobs that use up their tries land
// in the DLQ with their error history; an admin lists them and retries them.
// Then three ways to write "retry" that look right and are not.
import { FakeClock } from "#kit/clock.ts";

interface Job { id: string; queue: string; attempts: number; maxAttempts: number; errors: string[] }
interface DeadLetter { job: Job; reason: string; failedAt: number }

const clock = new FakeClock(1000);
const waiting = new Map<string, Job[]>();
const dlq = new Map<string, DeadLetter>();
let nextId = 1;

function enqueue(job: Job) {
  waiting.set(job.queue, [...(waiting.get(job.queue) ?? []), job]);
}
function add(queue: string, maxAttempts = 3): Job {
  const job = { id: `job-${nextId++}`, queue, attempts: 0, maxAttempts, errors: [] };
  enqueue(job);
  return job;
}
function fail(job: Job, message: string): "retry" | "dead" {
  job.errors.push(`try ${job.attempts} at t=${clock.now()}: ${message}`);
  if (job.attempts < job.maxAttempts) return enqueue(job), "retry";
  dlq.set(job.id, { job, reason: message, failedAt: clock.now() });
  return "dead";
}

// Handlers: job-2 fails once (a busy server), job-3 always (a bad address).
const failuresLeft = new Map([["job-2", 1], ["job-3", Infinity]]);
const reasonFor = (job: Job) =>
  job.id === "job-2" ? "421 server busy" : job.attempts === 1 ? "connection timed out" : "550 mailbox does not exist";
async function drain(queue: string) {
  while ((waiting.get(queue) ?? []).length > 0) {
    const job = waiting.get(queue)!.shift()!;
    job.attempts += 1;
    const left = failuresLeft.get(job.id) ?? 0;
    if (left > 0) {
      failuresLeft.set(job.id, left - 1);
      console.log(`t=${clock.now()}  ${job.id} try ${job.attempts}: failed -> ${fail(job, reasonFor(job))}`);
    } else {
      console.log(`t=${clock.now()}  ${job.id} try ${job.attempts}: ok`);
    }
    await clock.advance(100);
  }
}

console.log('== 1. A worker drains "emails" (maxAttempts 3) ==');
add("emails"), add("emails"), add("emails");
await drain("emails");

console.log("\n== 2. The admin list ==");
for (const { job, reason, failedAt } of dlq.values()) {
  console.log(`${job.id}  queue=${job.queue}  tries=${job.attempts}  died t=${failedAt}  reason: ${reason}`);
  for (const line of job.errors) console.log(`    ${line}`);
}

console.log("\n== 3. Three ways to write retry(id) ==");
// (a) BullMQ's job.retry() without { resetAttemptsMade: true } keeps attempts.
const dead = dlq.get("job-3")!;
dlq.delete("job-3");
enqueue(dead.job);
await drain("emails");
console.log(`keep attempts:  the job got 1 more try (attempts ${dead.job.attempts} of ${dead.job.maxAttempts}), then died again`);

// (b) Reset attempts: a full set of tries.
dlq.delete("job-3");
dead.job.attempts = 0;
enqueue(dead.job);
const triesBefore = dead.job.errors.length;
await drain("emails");
console.log(`reset attempts: the job got ${dead.job.errors.length - triesBefore} more tries, then died again`);

// (c) Copy without removing, and the admin double-clicks.
for (let click = 1; click <= 2; click++) {
  const entry = dlq.get("job-3");
  if (entry) enqueue({ ...entry.job, attempts: 0 });
}
console.log(`copy, no remove, double click: ${waiting.get("emails")!.length} jobs waiting, DLQ still lists ${dlq.size}`);
waiting.set("emails", []);

console.log("\n== 4. Two admins click Retry at once; an audit write sits in between ==");
const audit = () => clock.sleep(50); // a slow write to the compliance log

async function checkThenRemove(id: string) {
  const entry = dlq.get(id);
  if (!entry) return null;
  await audit();
  dlq.delete(id);
  enqueue({ ...entry.job, attempts: 0 });
  return id;
}
async function claimFirst(id: string) {
  const entry = dlq.get(id);
  if (!entry) return null;
  dlq.delete(id); // claimed: a second caller finds nothing
  try {
    await audit();
  } catch (error) {
    dlq.set(id, entry); // the audit failed: undo the claim
    throw error;
  }
  enqueue({ ...entry.job, attempts: 0 });
  return id;
}
for (const [name, retry] of [["check, await, remove", checkThenRemove], ["claim, await        ", claimFirst]] as const) {
  const entry = dlq.get("job-3")!;
  const both = Promise.all([retry("job-3"), retry("job-3")]);
  await clock.runAll();
  const results = await both;
  console.log(`${name}  results ${JSON.stringify(results)}  jobs put back: ${waiting.get("emails")!.length}`);
  waiting.set("emails", []);
  dlq.set("job-3", entry); // reset the stage for the next variant
}
