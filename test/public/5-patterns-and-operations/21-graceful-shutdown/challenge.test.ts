// Public tests for graceful-shutdown: worked examples of the contract in the
// stub's doc comments, on a FakeClock. The hidden tests add real processes and signals.
import { EventEmitter } from "node:events";
import { expect, test } from "vitest";
import { FakeClock, flushMicrotasks } from "#kit/clock.ts";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/5-patterns-and-operations/21-graceful-shutdown/challenge.ts");
const { createWorker, handleSignals } = await loadCandidate<Challenge>(import.meta.url);

/** A queue of jobs in memory that records what happened to each. */
function memoryQueue(ids: string[]) {
  const log: string[] = [];
  return {
    log,
    queue: {
      claim: () => {
        const id = ids.shift();
        return id === undefined ? undefined : { id, payload: null };
      },
      complete: (id: string) => void log.push(`complete ${id}`),
      fail: (id: string) => void log.push(`fail ${id}`),
      release: (id: string) => void log.push(`release ${id}`),
    },
  };
}

test("[C7, C8] example: SIGTERM lets the running job finish, then exits 0", async () => {
  const clock = new FakeClock();
  const { queue, log } = memoryQueue(["a", "b"]);
  const exits: number[] = [];
  const worker = createWorker({ queue, clock, exit: (code) => void exits.push(code), handler: (_job, signal) => clock.sleep(1000, signal) });
  worker.start();
  await flushMicrotasks();
  worker.shutdown("SIGTERM");
  await clock.advance(1000);
  expect(log, "b is never claimed").toEqual(["complete a"]);
  expect(exits).toEqual([0]);
});

test("[C9] example: a job still running at the deadline is aborted, released, and the exit code is 1", async () => {
  const clock = new FakeClock();
  const { queue, log } = memoryQueue(["slow"]);
  const exits: number[] = [];
  const worker = createWorker({ queue, clock, graceMs: 500, exit: (code) => void exits.push(code), handler: () => new Promise<void>(() => {}) });
  worker.start();
  await flushMicrotasks();
  worker.shutdown("SIGTERM");
  await clock.advance(500);
  expect(log).toEqual(["release slow"]);
  expect(exits).toEqual([1]);
  expect(clock.pendingTimers).toBe(0);
});

test("[C14, C16] example: handleSignals forwards every SIGINT, until removed", () => {
  const source = new EventEmitter();
  const seen: string[] = [];
  const remove = handleSignals({ shutdown: (signal) => void seen.push(signal) }, source as never);
  source.emit("SIGINT", "SIGINT");
  source.emit("SIGINT", "SIGINT");
  remove();
  source.emit("SIGINT", "SIGINT");
  expect(seen).toEqual(["SIGINT", "SIGINT"]);
});
