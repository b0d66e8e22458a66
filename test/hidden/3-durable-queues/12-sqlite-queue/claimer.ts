// queuecraft:hidden-or-solution — never in a student edition
// A worker process for the hidden tests. It loads the candidate and says
// "ready"; on { file, workerId, startAt } it opens the candidate's queue on that
// file, waits for the wall clock to reach startAt (so that workers told at
// slightly different moments start together) and claims jobs in a loop,
// completing each one, until nothing is left to claim. Then it reports what it
// saw and exits:
//   { claimed, attempts, rejectedCompletes, errors }
import { pathToFileURL } from "node:url";
import { candidatePath } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/3-durable-queues/12-sqlite-queue/challenge.ts");
const { openQueue } = (await import(pathToFileURL(candidatePath(import.meta.url)).href)) as Challenge;

const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

process.once("message", async ({ file, workerId, startAt }: { file: string; workerId: string; startAt: number }) => {
  const claimed: number[] = [];
  const attempts: number[] = [];
  const errors: string[] = [];
  let rejectedCompletes = 0;
  const describe = (error: unknown) => `${(error as { code?: string }).code ?? ""} ${(error as Error).message}`;

  const queue = openQueue(file, { leaseMs: 600_000 });
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < startAt) Atomics.wait(pause, 0, 0, 1);
  let batch = 0;
  let idleRounds = 0;
  while (idleRounds < 3 && errors.length < 20) {
    let jobs;
    try {
      jobs = queue.claim(workerId, (batch++ % 3) + 1);
    } catch (error) {
      errors.push(`claim threw: ${describe(error)}`);
      continue;
    }
    if (jobs.length === 0) {
      idleRounds++;
      continue;
    }
    idleRounds = 0;
    // "Work" on the batch for two milliseconds without using the CPU, so the
    // workers interleave instead of one of them draining the queue in a single
    // time slice, and the race lasts long enough (~0.25 s) to overlap even on
    // a busy machine: a claim that is not one atomic write must meet a rival.
    Atomics.wait(pause, 0, 0, 2);
    for (const job of jobs) {
      claimed.push(job.id);
      attempts.push(job.attempts);
      try {
        if (!queue.complete(job.id, workerId)) rejectedCompletes++;
      } catch (error) {
        errors.push(`complete threw: ${describe(error)}`);
      }
    }
  }
  queue.close();
  await send({ claimed, attempts, rejectedCompletes, errors });
  process.disconnect();
});
process.send!("ready");
