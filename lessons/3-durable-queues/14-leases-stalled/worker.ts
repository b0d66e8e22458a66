// A worker PROCESS for the experiment: claims the next job with a lease,
// performs its side effect (a card charge recorded in the same file), reports
// the claim and then "keeps working" until the experiment kills it.
//
//   worker.ts <file> <now> <lockDurationMs>
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";

const [file, nowArg, lockArg] = process.argv.slice(2) as [string, string, string];
const now = Number(nowArg); // the experiment's fake time
const db = new Database(file);
db.pragma("busy_timeout = 5000");

const claim = db
  .transaction(() =>
    db
      .prepare(
        `UPDATE jobs SET state = 'active', token = ?, locked_until = ?
          WHERE id = (SELECT id FROM jobs WHERE state = 'waiting' ORDER BY id LIMIT 1)
          RETURNING id, name, data, token, locked_until`,
      )
      .get(randomUUID(), now + Number(lockArg)) as { id: number; name: string; data: string; token: string; locked_until: number },
  )
  .immediate();

// The job's side effect happens, and is committed, before the crash.
const { order } = JSON.parse(claim.data) as { order: number };
db.prepare("INSERT INTO charges (order_id, charged_by) VALUES (?, ?)").run(order, "worker process");
process.send!({ id: claim.id, name: claim.name, token: claim.token, lockedUntil: claim.locked_until });
setInterval(() => {}, 1_000); // still "working" when SIGKILL arrives
