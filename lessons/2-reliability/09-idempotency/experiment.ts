// Two layers against doing the same work twice: a dedup key on the queue
// (drops duplicate jobs) and an idempotency key in the handler (drops duplicate
// effects). Each section breaks one of them on purpose.
import { FakeClock } from "#kit/clock.ts";

const clock = new FakeClock();

// --- A tiny ledger with all-or-nothing transactions --------------------------
class Ledger {
  charges: string[] = [];
  keys = new Set<string>();
  commits = 0;
  /** Kill the worker right after this commit (1-based); 0 means never. */
  crashAfterCommit = 0;
  transaction<R>(fn: (tx: { has(k: string): boolean; key(k: string): void; charge(p: string): void }) => R): R {
    const staged = { keys: [] as string[], charges: [] as string[] };
    const result = fn({
      has: (k) => this.keys.has(k) || staged.keys.includes(k),
      key: (k) => void staged.keys.push(k),
      charge: (p) => void staged.charges.push(p),
    });
    staged.keys.forEach((k) => this.keys.add(k)); // commit
    this.charges.push(...staged.charges);
    if (++this.commits === this.crashAfterCommit) throw new Error("worker killed after commit, before ack");
    return result;
  }
}

// --- A tiny queue; `holds` decides which job states block a dedup key ---------
type State = "waiting" | "active" | "done";
interface Job { id: number; key?: string; payment: string; state: State }
class Queue {
  jobs: Job[] = [];
  constructor(readonly holds: State[]) {}
  add(payment: string, key?: string): string {
    const holder = this.jobs.find((j) => key !== undefined && j.key === key && this.holds.includes(j.state));
    if (holder) return `dropped (job ${holder.id} ${holder.state})`;
    const job: Job = { id: this.jobs.length + 1, key, payment, state: "waiting" };
    this.jobs.push(job);
    return `queued as job ${job.id}`;
  }
  take() {
    const job = this.jobs.find((j) => j.state === "waiting");
    if (job) job.state = "active";
    return job;
  }
}

type Handler = (ledger: Ledger, payment: string) => string;
// Naive: charge and remember in two separate transactions.
const twoSteps: Handler = (ledger, payment) => {
  if (ledger.transaction((tx) => tx.has(payment))) return "duplicate";
  ledger.transaction((tx) => tx.charge(payment));
  ledger.transaction((tx) => tx.key(payment));
  return "charged";
};
// Idempotent: check, charge and record the key in one transaction.
const oneStep: Handler = (ledger, payment) =>
  ledger.transaction((tx) => {
    if (tx.has(payment)) return "duplicate";
    tx.charge(payment);
    tx.key(payment);
    return "charged";
  });

/** Runs the queue dry; a crash puts the job back (at-least-once delivery). */
function work(queue: Queue, ledger: Ledger, handler: Handler) {
  for (let job = queue.take(); job; job = queue.take()) {
    try {
      console.log(`  job ${job.id}: ${handler(ledger, job.payment)}`);
      job.state = "done";
    } catch (error) {
      console.log(`  job ${job.id}: ${(error as Error).message} -> redelivered`);
      job.state = "waiting";
    }
  }
}

console.log('== 1. A double-clicked "Pay" button: three adds of pay-1 ==');
for (const key of [undefined, "pay-1"]) {
  const queue = new Queue(["waiting", "active"]);
  const results = [1, 2, 3].map(() => queue.add("pay-1", key));
  console.log(`${key ? "with key" : "no key  "}: ${results.join("; ")}`);
}

console.log("\n== 2. A duplicate arrives while the first job is running ==");
for (const holds of [["waiting"], ["waiting", "active"]] as State[][]) {
  const queue = new Queue(holds);
  queue.add("pay-2", "pay-2");
  queue.take();
  console.log(`key held while ${holds.join("/").padEnd(14)}: second add ${queue.add("pay-2", "pay-2")}`);
}

console.log("\n== 3. The worker is killed after its commit, before the ack ==");
for (const [name, handler] of [["charge, then key (2 transactions)", twoSteps], ["key + charge in 1 transaction", oneStep]] as const) {
  console.log(`${name}:`);
  const ledger = new Ledger();
  const queue = new Queue(["waiting", "active"]);
  queue.add("pay-3", "pay-3");
  ledger.crashAfterCommit = handler === twoSteps ? 2 : 1; // right after the commit that charges
  work(queue, ledger, handler);
  console.log(`  pay-3 charged ${ledger.charges.filter((p) => p === "pay-3").length} time(s)`);
}

console.log("\n== 4. Ten minutes later the client retries its request ==");
const ledger = new Ledger();
const queue = new Queue(["waiting", "active"]);
console.log(`t=${clock.now()} add pay-4: ${queue.add("pay-4", "pay-4")}`);
work(queue, ledger, oneStep);
await clock.advance(10 * 60_000);
console.log(`t=${clock.now()} add pay-4: ${queue.add("pay-4", "pay-4")} (the key was released on completion)`);
work(queue, ledger, oneStep);
console.log(`pay-4 charged ${ledger.charges.length} time(s)`);
console.log("the queue's key is a filter; the ledger's key is the guarantee");
