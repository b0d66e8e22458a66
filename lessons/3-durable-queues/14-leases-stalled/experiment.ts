// Leases, lock tokens, heartbeats and a stalled-job reaper on SQLite, with a
// real worker process killed in the middle of a job. All time is fake.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { FakeClock, type TimerId } from "#kit/clock.ts";
import { spawnTs, exited } from "#kit/spawn-ts.ts";

const LOCK = 30_000; // BullMQ's default lockDuration
const HEARTBEAT = LOCK / 2; // BullMQ renews every lockDuration / 2
const MAX_STALLED = 1; // BullMQ's default maxStalledCount
const STALLED_REASON = "job stalled more than allowable limit";

const clock = new FakeClock();
const dir = mkdtempSync(path.join(tmpdir(), "queuecraft-14-"));
const file = path.join(dir, "queue.db");
const db = new Database(file);
db.pragma("busy_timeout = 5000");
db.pragma("journal_mode = WAL");
db.exec(`
  CREATE TABLE jobs (id INTEGER PRIMARY KEY, name TEXT, data TEXT, state TEXT DEFAULT 'waiting',
                     token TEXT, locked_until INTEGER, stalled_count INTEGER DEFAULT 0, failed_reason TEXT);
  CREATE TABLE charges (order_id INTEGER, charged_by TEXT);`);

// Tokens are random; print them as T1, T2, ... in the order they appear.
const labels = new Map<string, string>();
const tag = (token: string) => labels.get(token) ?? (labels.set(token, `T${labels.size + 1}`), labels.get(token)!);
const t = () => `t=${String(clock.now()).padEnd(6)}`;

interface Claim {
  id: number;
  name: string;
  token: string;
  lockedUntil: number;
}

const add = (name: string, data: object) =>
  Number(db.prepare("INSERT INTO jobs (name, data) VALUES (?, ?)").run(name, JSON.stringify(data)).lastInsertRowid);

function claim(): Claim {
  const row = db
    .prepare(
      `UPDATE jobs SET state = 'active', token = ?, locked_until = ?
        WHERE id = (SELECT id FROM jobs WHERE state = 'waiting' ORDER BY id LIMIT 1)
        RETURNING id, name, token, locked_until`,
    )
    .get(randomUUID(), clock.now() + LOCK) as { id: number; name: string; token: string; locked_until: number };
  return { id: row.id, name: row.name, token: row.token, lockedUntil: row.locked_until };
}

// Every holder operation checks all three: active, this token, lease not run out.
const holds = "id = ? AND state = 'active' AND token = ? AND locked_until > ?";
const extend = (c: Claim) =>
  db.prepare(`UPDATE jobs SET locked_until = ? WHERE ${holds}`).run(clock.now() + LOCK, c.id, c.token, clock.now()).changes === 1;
const complete = (c: Claim) =>
  db.prepare(`UPDATE jobs SET state = 'completed', token = NULL WHERE ${holds}`).run(c.id, c.token, clock.now()).changes === 1;
const leaseEnd = (id: number) => (db.prepare("SELECT locked_until FROM jobs WHERE id = ?").pluck().get(id) as number | null) ?? 0;

function reap(): string {
  const rows = db
    .prepare(
      `UPDATE jobs SET stalled_count = stalled_count + 1, token = NULL, locked_until = NULL,
              state = CASE WHEN stalled_count + 1 > ? THEN 'failed' ELSE 'waiting' END,
              failed_reason = CASE WHEN stalled_count + 1 > ? THEN ? ELSE NULL END
        WHERE state = 'active' AND locked_until <= ? RETURNING id, state, stalled_count`,
    )
    .all(MAX_STALLED, MAX_STALLED, STALLED_REASON, clock.now()) as Array<{ id: number; state: string; stalled_count: number }>;
  if (rows.length === 0) return "reaper: nothing stalled";
  return rows
    .map((r) => `reaper: #${r.id} stalled (stall ${r.stalled_count}, ${MAX_STALLED} allowed) -> ${r.state}`)
    .join("\n");
}

/** Runs `workMs` of fake work under a lease, heartbeating every `beatMs`. */
async function runWithLease(worker: string, c: Claim, workMs: number, beatMs: number, log = true): Promise<void> {
  const controller = new AbortController();
  let timer: TimerId | undefined;
  const beat = () => {
    const ok = extend(c);
    if (log || !ok) console.log(`${t()} ${worker}: heartbeat ${tag(c.token)} -> ${ok ? `ok, lease until t=${leaseEnd(c.id)}` : "refused"}`);
    if (ok) timer = clock.setTimeout(beat, beatMs);
    else controller.abort(new Error("LeaseLostError: lease lost"));
  };
  timer = clock.setTimeout(beat, beatMs);
  try {
    await clock.sleep(workMs, controller.signal);
    console.log(`${t()} ${worker}: #${c.id} done, complete(${tag(c.token)}) -> ${complete(c)}`);
  } catch (error) {
    console.log(`${t()} ${worker}: signal aborted (${(error as Error).message}), stops`);
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
  }
}

console.log(`lockDuration ${LOCK} ms, heartbeat every ${HEARTBEAT} ms, maxStalledCount ${MAX_STALLED}`);

console.log("\n== 1. A 70 s job keeps its 30 s lease by heartbeating");
add("transcode-video", {});
const a = claim();
console.log(`${t()} worker A claims #${a.id} ${a.name} (${tag(a.token)}), lease until t=${a.lockedUntil}`);
let reaperTimer = clock.setTimeout(function tick() {
  console.log(`${t()} ${reap()}`);
  reaperTimer = clock.setTimeout(tick, LOCK);
}, LOCK);
await Promise.all([runWithLease("A", a, 70_000, HEARTBEAT), clock.advance(70_000)]);
clock.clearTimeout(reaperTimer);

console.log("\n== 2. kill -9 in the middle of a job (a real worker process)");
const orderJob = add("charge-order", { order: 2 });
const child = await spawnTs(fileURLToPath(new URL("./worker.ts", import.meta.url)), [file, String(clock.now()), String(LOCK)]);
const dead = await new Promise<Claim>((resolve) => child.once("message", (m) => resolve(m as Claim)));
child.kill("SIGKILL");
console.log(`${t()} a worker process claims #${dead.id} ${dead.name} (${tag(dead.token)}), lease until t=${dead.lockedUntil}`);
console.log(`${t()} it charges the card for order 2 ... and gets ${await exited(child)}`);
await clock.advance(dead.lockedUntil - 1 - clock.now());
console.log(`${t()} ${reap()} (the lease still runs)`);
await clock.advance(1);
console.log(`${t()} ${reap()}`);
console.log(`${t()} the dead worker's complete(${tag(dead.token)}) -> ${complete(dead)}`);
const b = claim();
db.prepare("INSERT INTO charges (order_id, charged_by) VALUES (?, ?)").run(2, "worker B");
console.log(`${t()} worker B claims #${b.id} (${tag(b.token)}), charges the card, complete(${tag(b.token)}) -> ${complete(b)}`);
const charges = db.prepare("SELECT count(*) FROM charges WHERE order_id = 2").pluck().get();
console.log(`card charges for order 2: ${charges} (the stalled job had run partly: at-least-once)`);
void orderJob;

console.log("\n== 3. A zombie: alive, but its heartbeats come too late");
add("sync-inventory", {});
const c = claim();
console.log(`${t()} worker C claims #${c.id} (${tag(c.token)}); busy event loop: it beats every 40 s`);
const zombie = runWithLease("C", c, 60_000, 40_000);
let d: Promise<void> = Promise.resolve();
clock.setTimeout(() => {
  console.log(`${t()} ${reap()}`);
  const claimD = claim();
  console.log(`${t()} worker D claims #${claimD.id} (${tag(claimD.token)})`);
  d = runWithLease("D", claimD, 15_000, HEARTBEAT, false);
}, LOCK);
await clock.advance(50_000);
await Promise.all([zombie, d]);

console.log("\n== 4. A poison job that kills every worker that takes it");
add("render-pdf", { pages: 90_000 });
for (let attempt = 1; attempt <= 2; attempt++) {
  const p = claim();
  console.log(`${t()} a worker claims #${p.id} (${tag(p.token)}) and crashes`);
  await clock.advance(LOCK);
  console.log(`${t()} ${reap()}`);
}
const poison = db.prepare("SELECT state, failed_reason FROM jobs WHERE name = 'render-pdf'").get() as { state: string; failed_reason: string };
console.log(`render-pdf is ${poison.state}: "${poison.failed_reason}"`);

db.close();
rmSync(dir, { recursive: true, force: true });
