// A queue in one SQLite file: WAL mode, an atomic claim, two ways to get the
// claim wrong, real worker processes on the same file, and a kill -9 that
// loses nothing.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FakeClock } from "#kit/clock.ts";
import { spawnTs, exited } from "#kit/spawn-ts.ts";

const dir = mkdtempSync(path.join(tmpdir(), "queuecraft-12-"));
const file = path.join(dir, "queue.db");
const workerScript = fileURLToPath(new URL("./worker.ts", import.meta.url));
const clock = new FakeClock();
const LEASE_MS = 30_000;

function connect(): Database.Database {
  const db = new Database(file);
  db.pragma("busy_timeout = 5000"); // wait for another writer instead of failing at once
  db.pragma("journal_mode = WAL"); // readers never block the writer, and vice versa
  return db;
}

let db = connect();
db.exec(`
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY, type TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 0,
    run_at INTEGER NOT NULL, status TEXT NOT NULL DEFAULT 'waiting',
    attempts INTEGER NOT NULL DEFAULT 0, locked_by TEXT, locked_until INTEGER);
  CREATE INDEX jobs_ready ON jobs (priority, run_at, id) WHERE status = 'waiting';`);

interface Row {
  id: number;
  type: string;
  priority: number;
  attempts: number;
  status: string;
  locked_by: string | null;
  locked_until: number | null;
}

function enqueue(type: string, priority = 0, delayMs = 0): number {
  const sql = "INSERT INTO jobs (type, priority, run_at) VALUES (?, ?, ?)";
  return Number(db.prepare(sql).run(type, priority, clock.now() + delayMs).lastInsertRowid);
}

// The claim: one statement that picks AND takes, inside BEGIN IMMEDIATE.
function claim(conn: Database.Database, workerId: string, limit: number): Row[] {
  const statement = conn.prepare(`
    UPDATE jobs SET status = 'active', attempts = attempts + 1,
                    locked_by = ?, locked_until = ?
     WHERE id IN (SELECT id FROM jobs
                   WHERE status = 'waiting' AND run_at <= ?
                   ORDER BY priority, run_at, id LIMIT ?)
    RETURNING *`);
  const now = clock.now();
  const rows = conn.transaction(() => statement.all(workerId, now + LEASE_MS, now, limit) as Row[]).immediate();
  // RETURNING promises no order: sort the batch the way it was chosen.
  return rows.sort((a, b) => a.priority - b.priority || a.id - b.id);
}

const show = (rows: Row[]) => rows.map((r) => `#${r.id} ${r.type} (p${r.priority}, attempt ${r.attempts})`).join(", ") || "nothing";

console.log("== 1. One file in WAL mode");
console.log(`journal_mode = ${db.pragma("journal_mode", { simple: true })}, busy_timeout = ${db.pragma("busy_timeout", { simple: true })} ms`);
enqueue("email");
enqueue("report", 5);
enqueue("sms", 0, 2_000);
enqueue("alert", -1);
enqueue("export", 0, 500);
console.log("enqueued #1 email p0, #2 report p5, #3 sms p0 +2000 ms,");
console.log("         #4 alert p-1, #5 export p0 +500 ms");

console.log("\n== 2. Claim: UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING *");
console.log(`t=0     claim(2) -> ${show(claim(db, "w1", 2))}`);
console.log(`t=0     claim(2) -> ${show(claim(db, "w1", 2))}`);
await clock.advance(499);
console.log(`t=499   claim(2) -> ${show(claim(db, "w1", 2))}`);
await clock.advance(1);
console.log(`t=500   claim(2) -> ${show(claim(db, "w1", 2))}`);
await clock.advance(1_500);
console.log(`t=2000  claim(2) -> ${show(claim(db, "w1", 2))}`);
db.exec("UPDATE jobs SET status = 'completed'");

console.log("\n== 3. SELECT, then UPDATE, without a transaction (two connections)");
const a = connect();
const b = connect();
const job6 = enqueue("invoice");
const pickNext = "SELECT id FROM jobs WHERE status = 'waiting' ORDER BY priority, run_at, id LIMIT 1";
const take = "UPDATE jobs SET status = 'active', attempts = attempts + 1, locked_by = ? WHERE id = ?";
const pickedByA = a.prepare(pickNext).pluck().get() as number;
const pickedByB = b.prepare(pickNext).pluck().get() as number;
console.log(`A: SELECT -> #${pickedByA}    B: SELECT -> #${pickedByB}`);
console.log(`A: UPDATE #${pickedByA} -> ${a.prepare(take).run("A", pickedByA).changes} row    B: UPDATE #${pickedByB} -> ${b.prepare(take).run("B", pickedByB).changes} row`);
const after = db.prepare("SELECT * FROM jobs WHERE id = ?").get(job6) as Row;
console.log(`both workers now run #${job6}; the row says attempts ${after.attempts}, locked_by ${after.locked_by}`);

console.log("\n== 4. BEGIN DEFERRED: a read that later wants to write");
enqueue("refund");
enqueue("refund");
a.exec("BEGIN"); // DEFERRED: no lock yet
const seen = a.prepare(pickNext).pluck().get() as number; // takes a read snapshot
b.exec("BEGIN IMMEDIATE"); // B is in the middle of a write
const tryUpgrade = () => {
  try {
    a.prepare(take).run("A", seen);
    return "ok";
  } catch (error) {
    return (error as { code: string }).code;
  }
};
console.log(`A read #${seen}; B holds the write lock; A's UPDATE -> ${tryUpgrade()}`);
b.exec("COMMIT");
a.exec("ROLLBACK");
a.exec("BEGIN");
a.prepare(pickNext).pluck().get();
console.log(`A read again; B claims and commits -> ${show(claim(b, "B", 1))}`);
console.log(`A's UPDATE on its old snapshot -> ${tryUpgrade()}`);
a.exec("ROLLBACK");
a.close();
b.close();
db.exec("UPDATE jobs SET status = 'completed'");

console.log("\n== 5. Two worker processes claim from the same file at once");
const insertMany = db.transaction((n: number) => {
  for (let i = 0; i < n; i++) enqueue("thumbnail", i % 3);
});
insertMany(300);
const workers = await Promise.all(["P1", "P2"].map((id) => spawnTs(workerScript, [file, id, "drain", String(clock.now())])));
await Promise.all(workers.map((w) => new Promise((resolve) => w.once("message", resolve))));
const reports = workers.map((w) => new Promise<{ ids: number[] }>((resolve) => w.once("message", resolve)));
for (const w of workers) w.send("go");
const claimed = (await Promise.all(reports)).flatMap((r) => r.ids);
await Promise.all(workers.map(exited));
console.log(`300 jobs: claimed ${claimed.length} in total, ${claimed.length - new Set(claimed).size} of them twice`);
console.log("(how many each process got changes from run to run)");

console.log("\n== 6. kill -9 in the middle of a job, then restart");
const orderId = enqueue("charge-order");
const doomed = await spawnTs(workerScript, [file, "doomed", "hang", String(clock.now())]);
const { claimed: held } = await new Promise<{ claimed: number }>((resolve) => doomed.once("message", resolve));
doomed.kill("SIGKILL");
console.log(`worker "doomed" claimed #${held} (${held === orderId ? "charge-order" : "?"}) and got ${await exited(doomed)}`);
db.close();
db = connect(); // the "restart": a fresh connection to the same file
const row = () => db.prepare("SELECT * FROM jobs WHERE id = ?").get(orderId) as Row;
const leaseEnd = row().locked_until!;
console.log(`after restart: #${orderId} is ${row().status}, locked_by ${row().locked_by}, lease ends at t=${leaseEnd}`);
const recover = db.prepare("UPDATE jobs SET status = 'waiting', locked_by = NULL, locked_until = NULL WHERE status = 'active' AND locked_until <= ?");
await clock.advance(leaseEnd - 1 - clock.now());
console.log(`t=${clock.now()} recoverExpired -> ${recover.run(clock.now()).changes} job(s)`);
await clock.advance(1);
console.log(`t=${clock.now()} recoverExpired -> ${recover.run(clock.now()).changes} job(s)`);
console.log(`t=${clock.now()} claim(1) -> ${show(claim(db, "survivor", 1))}`);

db.close();
rmSync(dir, { recursive: true, force: true });
