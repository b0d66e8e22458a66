// queuecraft:hidden-or-solution — never in a student edition
// A worker process for the hidden tests. It loads the candidate and says
// "ready"; on { go: now, file, lockDurationMs, maxStalledCount, effects } it
// opens the queue with a FakeClock set to `now` (never advanced: the test owns
// time), claims one job, starts it under runWithLease, records a side effect,
// reports { claim } over IPC and then hangs in the handler until it is killed.
import { appendFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { FakeClock } from "#kit/clock.ts";
import { candidatePath } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/3-durable-queues/14-leases-stalled/challenge.ts");
const { openLeaseQueue, runWithLease } = (await import(pathToFileURL(candidatePath(import.meta.url)).href)) as Challenge;

interface Orders {
  go: number;
  file: string;
  lockDurationMs: number;
  maxStalledCount: number;
  effects: string;
}

setInterval(() => {}, 1_000); // keeps the process alive until SIGKILL

process.once("message", ({ go, file, lockDurationMs, maxStalledCount, effects }: Orders) => {
  const clock = new FakeClock(go);
  const queue = openLeaseQueue(file, { clock, lockDurationMs, maxStalledCount });
  const claim = queue.claim();
  if (!claim) {
    process.send!({ claim: null });
    return;
  }
  void runWithLease(
    queue,
    claim,
    async () => {
      appendFileSync(effects, `started ${claim.id}\n`); // the side effect that happens before the crash
      process.send!({ claim: { id: claim.id, token: claim.token, lockedUntil: claim.lockedUntil } });
      await new Promise(() => {}); // "working" forever
    },
    { clock, heartbeatMs: lockDurationMs / 2 },
  );
});
process.send!("ready");
