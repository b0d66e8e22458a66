// queuecraft:hidden-or-solution — never in a student edition
// A worker process that dies mid-job, for the hidden tests. It loads the
// candidate and says "ready"; on { file, workerId, warmup } it claims and
// completes `warmup` jobs one by one, then claims one more job, reports
//   { completed: ids whose complete() returned true, claimed: id | null }
// and hangs "working" on that job until it is killed.
import { pathToFileURL } from "node:url";
import { candidatePath } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/3-durable-queues/12-sqlite-queue/challenge.ts");
const { openQueue } = (await import(pathToFileURL(candidatePath(import.meta.url)).href)) as Challenge;

setInterval(() => {}, 1_000); // keeps the process alive until SIGKILL

process.once("message", ({ file, workerId, warmup }: { file: string; workerId: string; warmup: number }) => {
  const queue = openQueue(file, { leaseMs: 60_000 });
  const completed: number[] = [];
  for (let i = 0; i < warmup; i++) {
    const [job] = queue.claim(workerId, 1);
    if (job && queue.complete(job.id, workerId)) completed.push(job.id);
  }
  const [job] = queue.claim(workerId, 1);
  process.send!({ completed, claimed: job?.id ?? null });
});
process.send!("ready");
