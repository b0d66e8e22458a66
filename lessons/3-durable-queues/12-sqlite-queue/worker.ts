// A worker PROCESS for the experiment: opens the queue file and claims jobs
// with the same atomic statement as experiment.ts.
//
//   worker.ts <file> <workerId> drain <now>   claim + complete until empty, report the ids
//   worker.ts <file> <workerId> hang  <now>   claim one job, report it, then hang (to be killed)
//
// <now> is the experiment's fake time, so leases printed by the parent are
// the same on every run.
import Database from "better-sqlite3";

const [file, workerId, mode, nowArg] = process.argv.slice(2) as [string, string, string, string];
const now = Number(nowArg);
const leaseMs = 30_000;

const db = new Database(file);
db.pragma("busy_timeout = 5000");
db.pragma("journal_mode = WAL");

const claimOne = db.prepare<{ workerId: string; now: number; until: number }, { id: number }>(`
  UPDATE jobs SET status = 'active', attempts = attempts + 1,
                  locked_by = @workerId, locked_until = @until
   WHERE id IN (SELECT id FROM jobs
                 WHERE status = 'waiting' AND run_at <= @now
                 ORDER BY priority, run_at, id LIMIT 1)
  RETURNING id`);
const claim = db.transaction(() => claimOne.get({ workerId, now, until: now + leaseMs }));
const complete = db.prepare("UPDATE jobs SET status = 'completed' WHERE id = ? AND locked_by = ?");

if (mode === "hang") {
  const job = claim.immediate();
  process.send!({ claimed: job?.id });
  setInterval(() => {}, 1_000); // "working" until SIGKILL
} else {
  // Wait for the parent's "go" so both workers start at the same moment.
  process.once("message", () => {
    const ids: number[] = [];
    for (let job = claim.immediate(); job; job = claim.immediate()) {
      ids.push(job.id);
      complete.run(job.id, workerId);
    }
    db.close();
    process.send!({ ids }, () => process.disconnect());
  });
  process.send!("ready");
}
