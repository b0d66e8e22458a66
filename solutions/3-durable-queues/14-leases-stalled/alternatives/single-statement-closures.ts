// queuecraft:hidden-or-solution — never in a student edition
// Closures over prepared statements, every operation a single UPDATE … RETURNING statement (no explicit transactions); runWithLease is a hand-built promise whose heartbeat state lives in a small state object.
import Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import type { Clock } from "#kit/clock.ts";

export type JobState = "waiting" | "active" | "completed" | "failed";
export interface LeaseQueueOptions { clock: Clock; lockDurationMs?: number; maxStalledCount?: number; busyTimeoutMs?: number }
export interface Claim { id: number; name: string; data: unknown; token: string; lockedUntil: number; stalledCount: number }
export interface JobInfo {
  id: number; name: string; state: JobState; stalledCount: number;
  lockedUntil: number | null; failedReason: string | null; result: unknown;
}
export interface ReapResult { requeued: number[]; failed: number[] }
export interface LeaseQueue {
  add(name: string, data: unknown): number;
  claim(): Claim | undefined;
  extend(id: number, token: string): boolean;
  complete(id: number, token: string, result?: unknown): boolean;
  fail(id: number, token: string, reason: string): boolean;
  reap(): ReapResult;
  get(id: number): JobInfo | undefined;
  close(): void;
}
export const STALLED_REASON = "job stalled more than allowable limit";
export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS lease_jobs (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    data          TEXT    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'waiting',
    lock_token    TEXT,
    locked_until  INTEGER,
    stalled_count INTEGER NOT NULL DEFAULT 0,
    failed_reason TEXT,
    result        TEXT
  );
  CREATE INDEX IF NOT EXISTS lease_jobs_waiting ON lease_jobs (id) WHERE state = 'waiting';
  CREATE INDEX IF NOT EXISTS lease_jobs_leases ON lease_jobs (locked_until) WHERE state = 'active';
`;

interface Row {
  id: number; name: string; data: string; state: JobState; lock_token: string | null;
  locked_until: number | null; stalled_count: number; failed_reason: string | null; result: string | null;
}

export function openLeaseQueue(file: string, options: LeaseQueueOptions): LeaseQueue {
  const clock = options.clock;
  const lockMs = options.lockDurationMs ?? 30_000;
  const maxStalled = options.maxStalledCount ?? 1;
  const db = new Database(file);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5_000}`);
  db.pragma("journal_mode = WAL");
  db.exec(SCHEMA);

  const insert = db.prepare("INSERT INTO lease_jobs (name, data) VALUES (?, ?)");
  const take = db.prepare(`
    UPDATE lease_jobs SET state = 'active', lock_token = @token, locked_until = @until
    WHERE id = (SELECT id FROM lease_jobs WHERE state = 'waiting' ORDER BY id LIMIT 1)
    RETURNING *`);
  const valid = "id = @id AND state = 'active' AND lock_token = @token AND locked_until > @now";
  const heartbeat = db.prepare(`UPDATE lease_jobs SET locked_until = @until WHERE ${valid}`);
  const finish = db.prepare(`UPDATE lease_jobs SET state = 'completed', lock_token = NULL, locked_until = NULL, result = @result WHERE ${valid}`);
  const failIt = db.prepare(`UPDATE lease_jobs SET state = 'failed', lock_token = NULL, locked_until = NULL, failed_reason = @reason WHERE ${valid}`);
  const reaper = db.prepare(`
    UPDATE lease_jobs SET
      stalled_count = stalled_count + 1,
      state = CASE WHEN stalled_count + 1 > @max THEN 'failed' ELSE 'waiting' END,
      failed_reason = CASE WHEN stalled_count + 1 > @max THEN @reason ELSE NULL END,
      lock_token = NULL, locked_until = NULL
    WHERE state = 'active' AND locked_until <= @now
    RETURNING id, state`);
  const byId = db.prepare("SELECT * FROM lease_jobs WHERE id = ?");

  return {
    add(name, data) {
      return Number(insert.run(name, JSON.stringify(data)).lastInsertRowid);
    },
    claim() {
      const row = take.get({ token: randomUUID(), until: clock.now() + lockMs }) as Row | undefined;
      if (!row) return undefined;
      return {
        id: row.id, name: row.name, data: JSON.parse(row.data), token: row.lock_token!,
        lockedUntil: row.locked_until!, stalledCount: row.stalled_count,
      };
    },
    extend(id, token) {
      const now = clock.now();
      return heartbeat.run({ id, token, now, until: now + lockMs }).changes === 1;
    },
    complete(id, token, result) {
      const stored = result === undefined ? null : JSON.stringify(result);
      return finish.run({ id, token, now: clock.now(), result: stored }).changes === 1;
    },
    fail(id, token, reason) {
      return failIt.run({ id, token, now: clock.now(), reason }).changes === 1;
    },
    reap() {
      const rows = reaper.all({ now: clock.now(), max: maxStalled, reason: STALLED_REASON }) as { id: number; state: string }[];
      const out: ReapResult = { requeued: [], failed: [] };
      for (const r of rows) (r.state === "failed" ? out.failed : out.requeued).push(r.id);
      out.requeued.sort((a, b) => a - b);
      out.failed.sort((a, b) => a - b);
      return out;
    },
    get(id) {
      const row = byId.get(id) as Row | undefined;
      if (!row) return undefined;
      return {
        id: row.id, name: row.name, state: row.state, stalledCount: row.stalled_count,
        lockedUntil: row.state === "active" ? row.locked_until : null,
        failedReason: row.failed_reason,
        result: row.result === null ? undefined : JSON.parse(row.result),
      };
    },
    close() {
      if (db.open) db.close();
    },
  };
}

export type Outcome = "completed" | "failed" | "lease-lost";
export interface RunOptions { clock: Clock; heartbeatMs: number }
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

export function runWithLease(
  queue: LeaseQueue,
  claim: Claim,
  handler: (data: unknown, signal: AbortSignal) => Promise<unknown>,
  options: RunOptions,
): Promise<Outcome> {
  const { clock, heartbeatMs } = options;
  const controller = new AbortController();
  const state: { timer: ReturnType<Clock["setTimeout"]> | undefined; lost: boolean } = { timer: undefined, lost: false };

  const stopBeating = () => {
    if (state.timer !== undefined) clock.clearTimeout(state.timer);
    state.timer = undefined;
  };
  const beat = () => {
    state.timer = undefined;
    if (queue.extend(claim.id, claim.token)) {
      state.timer = clock.setTimeout(beat, heartbeatMs);
    } else {
      state.lost = true;
      controller.abort(new LeaseLostError(`lease on job ${claim.id} lost`));
    }
  };
  state.timer = clock.setTimeout(beat, heartbeatMs);

  let running: Promise<unknown>;
  try {
    running = Promise.resolve(handler(claim.data, controller.signal));
  } catch (error) {
    running = Promise.reject(error);
  }
  return running.then(
    (result): Outcome => {
      stopBeating();
      if (state.lost) return "lease-lost";
      return queue.complete(claim.id, claim.token, result) ? "completed" : "lease-lost";
    },
    (error: unknown): Outcome => {
      stopBeating();
      if (state.lost) return "lease-lost";
      const message = error instanceof Error ? error.message : String(error);
      return queue.fail(claim.id, claim.token, message) ? "failed" : "lease-lost";
    },
  );
}
