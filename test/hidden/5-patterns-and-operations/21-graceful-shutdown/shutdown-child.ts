// queuecraft:hidden-or-solution — never in a student edition
// A real worker process for the hidden tests: runs the candidate's worker on
// the real clock with the candidate's signal handlers on the real `process`.
// argv[2] is a JSON config. Reports over IPC when `concurrency` jobs are running
// and when a signal reached the worker; prints one JSON summary line on exit.
// `selfSignal: "before-start"` sends this process a real SIGTERM right after
// handleSignals() returns and calls start() only once it reached the worker.
import { pathToFileURL } from "node:url";
import { systemClock } from "#kit/clock.ts";
import { candidatePath } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/5-patterns-and-operations/21-graceful-shutdown/challenge.ts");
type Job = import("../../../../lessons/5-patterns-and-operations/21-graceful-shutdown/challenge.ts").Job;

const { createWorker, handleSignals } = (await import(pathToFileURL(candidatePath(import.meta.url)).href)) as Challenge;

const config = JSON.parse(process.argv[2] ?? "{}") as {
  jobs: number;
  jobMs: number;
  concurrency: number;
  graceMs: number;
  selfSignal?: "before-start";
};

const waiting: Job[] = Array.from({ length: config.jobs }, (_, i) => ({ id: `job-${i + 1}`, payload: null }));
const tally = { claimed: [] as string[], completed: [] as string[], failed: [] as string[], released: [] as string[] };
let started = 0;

const worker = createWorker({
  queue: {
    claim() {
      const job = waiting.shift();
      if (job) tally.claimed.push(job.id);
      return job;
    },
    complete: (id) => void tally.completed.push(id),
    fail: (id) => void tally.failed.push(id),
    release(id) {
      tally.released.push(id);
      waiting.unshift({ id, payload: null });
    },
  },
  handler: async (_job, signal) => {
    started++;
    if (started === config.concurrency) process.send?.({ type: "busy" });
    await systemClock.sleep(config.jobMs, signal);
  },
  clock: systemClock,
  exit: (code) => {
    process.stdout.write(`${JSON.stringify({ code, ...tally })}\n`);
    process.exit(code);
  },
  concurrency: config.concurrency,
  pollIntervalMs: 50,
  graceMs: config.graceMs,
});

let signalReached!: () => void;
const firstSignal = new Promise<void>((resolve) => (signalReached = resolve));

handleSignals({
  shutdown(signal) {
    process.send?.({ type: "signal", signal });
    signalReached();
    worker.shutdown(signal);
  },
});
if (config.selfSignal) {
  // POSIX delivers a signal a process sends itself before kill() returns: no listener yet means Node's default action.
  process.kill(process.pid, "SIGTERM");
  // Signal handles do not keep Node's event loop alive: this timer does, until the signal is dispatched.
  const keepAlive = setInterval(() => {}, 1000);
  await firstSignal;
  clearInterval(keepAlive);
}
worker.start();
