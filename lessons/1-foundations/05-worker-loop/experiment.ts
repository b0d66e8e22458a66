// Four worker loops on the same queue, on a fake clock: the seed's loop, a
// loop that sleeps after every job, a "batch of N" loop and N copies of the
// seed's loop. Same jobs, very different timelines.
import { FakeClock } from "#kit/clock.ts";

type Job = { id: string; duration: number };

const POLL_INTERVAL = 1000;
const CONCURRENCY = 3;

/** Jobs waiting at t=0, then two stragglers that arrive while the worker idles. */
const initial: Job[] = [
  { id: "a", duration: 300 }, { id: "b", duration: 100 }, { id: "c", duration: 100 },
  { id: "d", duration: 200 }, { id: "e", duration: 100 }, { id: "f", duration: 100 },
];
const late: Array<[at: number, job: Job]> = [[2450, { id: "g", duration: 100 }], [2480, { id: "h", duration: 100 }]];

/** An in-memory queue that counts claims (queries) and jobs in flight. */
class Queue {
  waiting: Job[] = [];
  claims = 0;
  emptyClaims = 0;
  inFlight = 0;
  maxInFlight = 0;
  starts: string[] = [];
  startedAt = new Map<string, number>();
  doneAt = new Map<string, number>();
  constructor(readonly clock: FakeClock) {}

  async claim(): Promise<Job | null> {
    this.claims++;
    const job = this.waiting.shift() ?? null;
    if (!job) this.emptyClaims++;
    else this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    return job;
  }

  async handle(job: Job): Promise<void> {
    this.starts.push(`${job.id}@${this.clock.now()}`);
    this.startedAt.set(job.id, this.clock.now());
    await this.clock.sleep(job.duration);
    this.inFlight--;
    this.doneAt.set(job.id, this.clock.now());
  }
}

type Loop = (q: Queue, clock: FakeClock, running: () => boolean) => Promise<void>;

// The seed's loop: one job at a time, sleep only when the queue is empty.
const seedLoop: Loop = async (q, clock, running) => {
  while (running()) {
    const job = await q.claim();
    if (!job) {
      await clock.sleep(POLL_INTERVAL);
      continue;
    }
    await q.handle(job);
  }
};

// A common slip: the sleep moved below the job, so it runs after every job.
const sleepAfterEveryJob: Loop = async (q, clock, running) => {
  while (running()) {
    const job = await q.claim();
    if (job) await q.handle(job);
    await clock.sleep(POLL_INTERVAL);
  }
};

// Claim up to N, wait for the whole batch, repeat: the slowest job holds every slot.
const batchOfN: Loop = async (q, clock, running) => {
  while (running()) {
    const batch: Job[] = [];
    for (let i = 0; i < CONCURRENCY; i++) {
      const job = await q.claim();
      if (!job) break;
      batch.push(job);
    }
    if (batch.length === 0) {
      await clock.sleep(POLL_INTERVAL);
      continue;
    }
    await Promise.all(batch.map((job) => q.handle(job)));
  }
};

// N copies of the seed's loop, each with its own slot.
const nCopies: Loop = (q, clock, running) =>
  Promise.all(Array.from({ length: CONCURRENCY }, () => seedLoop(q, clock, running))).then(() => undefined);

async function simulate(name: string, loop: Loop): Promise<void> {
  const clock = new FakeClock();
  const q = new Queue(clock);
  q.waiting.push(...initial);
  for (const [at, job] of late) clock.setTimeout(() => q.waiting.push(job), at);
  let running = true;
  const done = loop(q, clock, () => running);
  await clock.advance(10_000);
  running = false;
  await clock.runAll();
  await done;
  console.log(`-- ${name}`);
  console.log(`   starts:  ${q.starts.join(" ")}`);
  const backlogDone = Math.max(...initial.map((job) => q.doneAt.get(job.id) ?? Infinity));
  const lateWaits = late.map(([at, job]) => `${job.id} ${(q.startedAt.get(job.id) ?? Infinity) - at} ms`).join(", ");
  console.log(`   backlog of 6 done at ${backlogDone} ms; max in flight ${q.maxInFlight}`);
  console.log(`   late jobs waited: ${lateWaits}`);
  console.log(`   claims in 10 s: ${q.claims}, of which ${q.emptyClaims} found nothing`);
}

console.log(`6 jobs waiting at t=0, 'g' arrives at 2450 ms, 'h' at 2480 ms; poll interval ${POLL_INTERVAL} ms\n`);
await simulate("seed loop, concurrency 1", seedLoop);
await simulate("sleep after every job", sleepAfterEveryJob);
await simulate(`batch of ${CONCURRENCY} with Promise.all`, batchOfN);
await simulate(`${CONCURRENCY} copies of the seed loop`, nCopies);
