// Delayed jobs, BullMQ style: a "delayed" set sorted by run time, a "ready"
// list sorted by priority, promotion between the two, and a worker that
// sleeps until the next run time instead of polling. All time is fake.
import { FakeClock } from "#kit/clock.ts";

interface Job {
  id: number;
  name: string;
  priority: number;
  runAt: number;
}

const clock = new FakeClock();
const pad = (text: string, width: number) => text.padEnd(width);
const label = (job: Job) => `#${job.id} ${job.name} (p${job.priority})`;

class DelayedQueue {
  delayed: Job[] = []; // sorted by (runAt, id), like BullMQ's "delayed" ZSET
  ready: Job[] = []; // sorted by (priority, runAt, id)
  #nextId = 1;
  #sleepers = new Set<AbortController>();

  constructor(private readonly promoteToFront = false) {}

  add(name: string, priority: number, delay = 0): Job {
    const job = { id: this.#nextId++, name, priority, runAt: clock.now() + delay };
    if (delay === 0) this.#insertReady(job);
    else {
      this.delayed.push(job);
      this.delayed.sort((a, b) => a.runAt - b.runAt || a.id - b.id);
    }
    for (const sleeper of this.#sleepers) sleeper.abort(); // "something changed, re-check"
    return job;
  }

  #insertReady(job: Job): void {
    this.ready.push(job);
    this.ready.sort((a, b) => a.priority - b.priority || a.runAt - b.runAt || a.id - b.id);
  }

  /** Moves every job with runAt <= now from the delayed set to the ready list. */
  promote(): void {
    while (this.delayed.length > 0 && this.delayed[0]!.runAt <= clock.now()) {
      const job = this.delayed.shift()!;
      if (this.promoteToFront) this.ready.unshift(job); // the bug: straight to the head
      else this.#insertReady(job);
    }
  }

  take(): Job | undefined {
    this.promote();
    return this.ready.shift();
  }

  /** Sleeps until `until`, or until add() wakes us; never throws. */
  async sleep(until: number | undefined): Promise<void> {
    const wake = new AbortController();
    this.#sleepers.add(wake);
    const forever = new Promise<void>((resolve) => wake.signal.addEventListener("abort", () => resolve()));
    await (until === undefined ? forever : clock.sleep(until - clock.now(), wake.signal).catch(() => {}));
    this.#sleepers.delete(wake);
  }
}

console.log("== Jobs added at t=0 (lower priority number runs first)");
const queue = new DelayedQueue();
const added = [
  queue.add("newsletter", 5),
  queue.add("invoice", 1),
  queue.add("reminder", 1, 1_000),
  queue.add("charge-retry", 0, 250),
  queue.add("digest", 5, 1_000),
];
for (const job of added) {
  const when = job.runAt === 0 ? "ready now" : `delayed until t=${job.runAt}`;
  const note = job.name === "charge-retry" ? "   (a retry: 250 ms backoff)" : "";
  console.log(`${pad(label(job), 22)} ${when}${note}`);
}
console.log("delayed set as BullMQ 6 scores it (runAt * 4096 + arrival within that ms):");
const arrivals = new Map<number, number>();
for (const job of queue.delayed) {
  // getDelayedScore.lua: the first job due in a millisecond gets runAt * 0x1000,
  // each later one the highest score in that millisecond + 1.
  const seq = arrivals.get(job.runAt) ?? 0;
  arrivals.set(job.runAt, seq + 1);
  console.log(`  ${pad(label(job), 22)} score ${job.runAt * 0x1000 + seq}`);
}

console.log("\n== One worker: take what is ready, otherwise sleep until the next runAt");
let producerDone = false;
clock.setTimeout(() => {
  const job = queue.add("password-reset", 0, 100);
  console.log(`t=${pad(String(clock.now()), 5)} add ${label(job)} due t=${job.runAt}: wakes the sleeper to re-arm`);
  producerDone = true;
}, 400);

const worker = (async () => {
  for (;;) {
    const job = queue.take();
    if (job) {
      console.log(`t=${pad(String(clock.now()), 5)} took ${label(job)}`);
      continue;
    }
    const until = queue.delayed[0]?.runAt;
    if (until === undefined && producerDone) break;
    console.log(`t=${pad(String(clock.now()), 5)} nothing ready; sleeping until t=${until ?? "an add"}`);
    await queue.sleep(until);
  }
  console.log(`t=${pad(String(clock.now()), 5)} queue empty, worker stops`);
})();
await clock.runAll();
await worker;

console.log("\n== Exactly at runAt");
const boundary = new FakeClock(1_999);
const dueAt = 2_000;
const yesNo = (ready: boolean) => (ready ? "yes" : "no");
console.log(`job due at t=${dueAt}: at t=1999 ready? ${yesNo(dueAt <= boundary.now())}`);
await boundary.advance(1);
console.log(`at t=2000: with runAt <= now ${yesNo(dueAt <= boundary.now())}, with runAt < now ${yesNo(dueAt < boundary.now())}`);

console.log("\n== Promotion must respect priority");
console.log("t=0 add urgent-1 (p0), urgent-2 (p0) and bulk-export (p9, due t=100);");
console.log("a worker takes urgent-1 and is busy until t=150, then takes the rest:");
for (const promoteToFront of [false, true]) {
  const q = new DelayedQueue(promoteToFront);
  q.add("urgent-1", 0);
  q.add("urgent-2", 0);
  q.add("bulk-export", 9, 100);
  q.take(); // urgent-1
  await clock.advance(150);
  const order: string[] = [];
  for (let job = q.take(); job; job = q.take()) order.push(label(job));
  const how = promoteToFront ? "promoted to the head:      " : "promoted in priority order:";
  console.log(`  ${how} ${order.join(", ")}`);
  if (promoteToFront) console.log("  (pushed to the head, the bulk job overtakes the urgent one)");
}
