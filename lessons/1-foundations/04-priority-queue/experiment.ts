// Priorities: which number wins, why a heap needs a tie-breaker, how BullMQ
// packs (priority, order) into one number, and what strict priority does to
// the job at the back.
import { FakeClock } from "#kit/clock.ts";

type Job = { name: string; priority: number; seq: number };

/** A small binary min-heap; `before(a, b)` says whether a must come out first. */
class Heap<T> {
  readonly #items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    const h = this.#items;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const h = this.#items;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < h.length && this.before(h[l]!, h[best]!)) best = l;
      if (r < h.length && this.before(h[r]!, h[best]!)) best = r;
      if (best === i) return top;
      [h[i], h[best]] = [h[best]!, h[i]!];
      i = best;
    }
  }
}

function drain(heap: Heap<Job>): string {
  const out: string[] = [];
  for (let job = heap.pop(); job; job = heap.pop()) out.push(job.name);
  return out.join(" ");
}

let seq = 0;
const job = (name: string, priority: number): Job => ({ name, priority, seq: seq++ });

console.log("== 1. Same numbers, opposite meanings ==");
const seedJobs = [job("low", 0), job("high", 10), job("medium", 5), job("critical", 100), job("normal", 1)];
console.log("enqueued:", seedJobs.map((j) => `${j.name}=${j.priority}`).join(" "));
const higherFirst = [...seedJobs].sort((a, b) => b.priority - a.priority);
const lowerFirst = [...seedJobs].sort((a, b) => a.priority - b.priority);
console.log("higher first (the seed, pg-boss):   ", higherFirst.map((j) => j.name).join(" "));
console.log("lower first (BullMQ, graphile, ...):", lowerFirst.map((j) => j.name).join(" "));
console.log("-> move these jobs to BullMQ unchanged and 'critical' runs last.");

console.log("\n== 2. A heap is not first-in-first-out on its own ==");
seq = 0;
const arrivals = [
  job("mail-1", 5), job("mail-2", 5), job("mail-3", 5), job("alert-1", 1),
  job("mail-4", 5), job("mail-5", 5), job("alert-2", 1), job("mail-6", 5),
];
console.log("enqueued:", arrivals.map((j) => `${j.name}(${j.priority})`).join(" "));
const byPriority = new Heap<Job>((a, b) => a.priority < b.priority);
const byPriorityThenSeq = new Heap<Job>((a, b) => a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq));
for (const j of arrivals) {
  byPriority.push(j);
  byPriorityThenSeq.push(j);
}
console.log("priority only:       ", drain(byPriority));
console.log("priority, then seq:  ", drain(byPriorityThenSeq));

console.log("\n== 3. BullMQ packs (priority, order) into one sorted-set score ==");
const TWO_32 = 2 ** 32;
const score = (priority: number, counter: number) => priority * TWO_32 + (counter % TWO_32);
for (const [priority, counter] of [[1, 1], [1, 2], [2, 3], [1, 4]] as const) {
  console.log(`priority ${priority}, counter ${counter} -> score ${score(priority, counter)}`);
}
const limit = 2 ** 21 - 1;
console.log(`largest score: ${score(limit, TWO_32 - 1)} = MAX_SAFE_INTEGER? ${score(limit, TWO_32 - 1) === Number.MAX_SAFE_INTEGER}`);
const a = score(limit + 1, 3);
const b = score(limit + 1, 4);
console.log(`priority ${limit + 1}: counters 3 and 4 give equal scores? ${a === b} (the tie-break is lost)`);

console.log("\n== 4. Strict priority starves the job at the back ==");
const clock = new FakeClock();
seq = 0;
const queue = new Heap<Job & { at: number }>((x, y) => x.priority < y.priority || (x.priority === y.priority && x.seq < y.seq));
queue.push({ ...job("monthly-report", 10), at: clock.now() });
let alerts = 0;
// One alert (priority 1) arrives every 100 ms for a second; the single worker
// needs 100 ms per job, so it is never idle while alerts keep coming.
for (let t = 0; t <= 1000; t += 100) {
  if (t < 1000) queue.push({ ...job(`alert-${++alerts}`, 1), at: clock.now() });
  const next = queue.pop()!;
  if (next.priority === 10 || t % 300 === 0) {
    console.log(`t=${String(clock.now()).padStart(4)}ms run ${next.name.padEnd(14)} waited ${clock.now() - next.at} ms, ${queue.size} still queued`);
  }
  await clock.advance(100);
}
console.log("-> lower-priority work only runs when urgent work pauses (fair-priorities fixes this).");
