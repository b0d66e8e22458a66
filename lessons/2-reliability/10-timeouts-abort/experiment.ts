// Job timeouts three ways on a fake clock, then the real AbortSignal helpers.
// The "job" imports rows in 400 ms steps; the deadline is 1000 ms.
import { setTimeout as realSleep } from "node:timers/promises";
import { FakeClock } from "#kit/clock.ts";

const clock = new FakeClock();
let origin = 0; // each section counts time from its own start
const t = () => `t=${String(clock.now() - origin).padStart(4)}`;

/** Imports `rows` rows, one per 400 ms; stops between rows if `signal` aborts. */
async function importRows(label: string, rows: number, signal?: AbortSignal) {
  for (let row = 1; row <= rows; row++) {
    await clock.sleep(400, signal);
    console.log(`${t()}  ${label}: wrote row ${row}`);
  }
}

/** Settles the promise on the fake clock and prints how it ended. */
async function report(label: string, promise: Promise<unknown>) {
  promise.then(
    () => console.log(`${t()}  ${label}: resolved`),
    (error: Error) => console.log(`${t()}  ${label}: rejected with ${error.name}`),
  );
  await clock.runAll();
}

// 1. Promise.race against a timer: the caller gives up, the job does not.
console.log("== 1. Promise.race with a timer, no abort ==");
function raceTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  const timeout = new Promise<never>((_, reject) =>
    clock.setTimeout(() => reject(Object.assign(new Error("too slow"), { name: "TimeoutError" })), ms),
  );
  return Promise.race([work, timeout]); // the timer is never cleared either
}
await report("race", raceTimeout(importRows("race job", 3), 1000));
const fast = raceTimeout(Promise.resolve("quick"), 1000);
await fast;
console.log(`after a job that took 0 ms: ${clock.pendingTimers} timer still pending (leaked)`);
await clock.runAll();

// 2. AbortController: the deadline aborts the job's signal; the timer is cleared.
console.log("\n== 2. AbortController + clearTimeout ==");
origin = clock.now();
function withDeadline<T>(task: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => {
      const reason = Object.assign(new Error(`timed out after ${ms} ms`), { name: "TimeoutError" });
      controller.abort(reason);
      reject(reason);
    }, ms);
    task(controller.signal).then(
      (value) => (clock.clearTimeout(timer), resolve(value)),
      (error: unknown) => (clock.clearTimeout(timer), reject(error)),
    );
  });
}
await report("abort", withDeadline((signal) => importRows("abort job", 3, signal), 1000));
await withDeadline(async () => "quick", 1000);
console.log(`after a job that took 0 ms: ${clock.pendingTimers} timers pending`);

// 3. Cancellation is cooperative: a job that ignores its signal keeps running.
console.log("\n== 3. A job that ignores its signal ==");
origin = clock.now();
await report("deaf", withDeadline(() => importRows("deaf job", 3), 1000));
console.log("reported at the deadline; the work went on. Only a worker thread or a");
console.log("process can be stopped from outside (worker.terminate(), kill).");

// 4. The real helpers, on the real clock (fine here: we print no times).
console.log("\n== 4. AbortSignal.timeout and AbortSignal.any (real clock) ==");
const timeoutSignal = AbortSignal.timeout(10);
await realSleep(50);
console.log(`AbortSignal.timeout(10) after 50 ms: aborted=${timeoutSignal.aborted}, reason=${timeoutSignal.reason.name}`);
const shutdown = new AbortController();
const combined = AbortSignal.any([shutdown.signal, AbortSignal.timeout(60_000)]);
shutdown.abort(new Error("SIGTERM received"));
console.log(`AbortSignal.any([shutdown, timeout]): aborted=${combined.aborted}, reason="${combined.reason.message}"`);
