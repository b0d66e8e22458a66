// Poll, notify, or both? The same producer feeds four single-slot workers on a
// fake clock; one notification is lost on the way, as happens when a LISTEN
// connection drops. Then a close look at a notification that arrives while the
// worker is in the middle of a claim.
import { FakeClock, type TimerId } from "#kit/clock.ts";

type Job = { id: string; addedAt: number };
type Mode = "poll" | "notify" | "both";

/** An in-memory queue whose claim(), like a SQL query, sees the queue as it was when it started. */
class Queue {
  waiting: Job[] = [];
  claims = 0;
  constructor(private readonly clock: FakeClock, private readonly claimLatency = 0) {}
  async claim(): Promise<Job | null> {
    this.claims++;
    const job = this.waiting.shift() ?? null;
    if (this.claimLatency > 0) await this.clock.sleep(this.claimLatency);
    return job;
  }
}

/**
 * A single-slot worker. notify() only wakes it if it is asleep: a notification
 * that arrives while it is claiming or working is simply dropped.
 */
function startWorker(clock: FakeClock, queue: Queue, mode: Mode, pollInterval: number, onStart: (job: Job) => void) {
  let wake: (() => void) | undefined;
  let stopped = false;
  const sleep = () =>
    new Promise<void>((resolve) => {
      let timer: TimerId | undefined;
      const done = () => {
        if (timer !== undefined) clock.clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      if (mode !== "notify") timer = clock.setTimeout(done, pollInterval);
      wake = done;
    });
  const finished = (async () => {
    while (!stopped) {
      const job = await queue.claim();
      if (!job) {
        await sleep();
        continue;
      }
      onStart(job);
      await clock.sleep(100); // the job itself
    }
  })();
  return {
    notify: () => {
      if (mode !== "poll") wake?.();
    },
    stop: () => {
      stopped = true;
      wake?.();
      return finished;
    },
  };
}

// The producer: [time, job id, is its notification delivered?]
const arrivals: Array<[number, string, boolean]> = [
  [1200, "j1", true], [5300, "j2", true], [5350, "j3", true],
  [17800, "j4", true], [31000, "j5", true], [44400, "j6", false],
];

async function scenario(label: string, mode: Mode, pollInterval: number): Promise<void> {
  const clock = new FakeClock();
  const queue = new Queue(clock);
  const waits: string[] = [];
  const worker = startWorker(clock, queue, mode, pollInterval, (job) => waits.push(`${job.id}:${clock.now() - job.addedAt}`));
  for (const [at, id, delivered] of arrivals) {
    clock.setTimeout(() => {
      queue.waiting.push({ id, addedAt: clock.now() });
      if (delivered) worker.notify();
    }, at);
  }
  await clock.advance(80_000);
  const stranded = queue.waiting.map((job) => job.id);
  await worker.stop();
  await clock.runAll();
  console.log(`${label.padEnd(30)} claims: ${String(queue.claims).padStart(3)}`);
  console.log(`   waited (ms): ${waits.join(" ")}${stranded.length ? `  NEVER RAN: ${stranded.join(" ")}` : ""}`);
}

console.log("6 jobs, watched for 80 s; the notification for the last one (j6, t=44400) is lost\n");
await scenario("poll every 2 s", "poll", 2000);
await scenario("notify only", "notify", 2000);
await scenario("notify + 2 s poll (graphile)", "both", 2000);
await scenario("notify + 30 s poll (pg-boss)", "both", 30_000);

console.log("\nA notification during a claim (claims take 50 ms, poll every 2 s):");
{
  const clock = new FakeClock();
  const queue = new Queue(clock, 50);
  const worker = startWorker(clock, queue, "both", 2000, (job) =>
    console.log(`   t=${clock.now()}: ${job.id} starts, ${clock.now() - job.addedAt} ms after it was added`),
  );
  await clock.advance(1000);
  worker.notify(); // a spurious wake-up: the claim it starts (1000..1050) finds nothing
  console.log("   t=1000: woken up, claiming (this claim cannot see later jobs)");
  await clock.advance(20);
  queue.waiting.push({ id: "late", addedAt: clock.now() });
  worker.notify();
  console.log("   t=1020: 'late' added and notified, but the worker is claiming, not sleeping");
  await clock.advance(3000);
  await worker.stop();
  await clock.runAll();
  console.log("   -> the notification was dropped; a pending flag would have started 'late' at t=1100");
}
