// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: leases with lock tokens on SQLite, a reaper that counts
// stalls, and a worker-side runner that heartbeats and aborts its handler the
// moment the lease is lost.

import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import type { Clock, TimerId } from "#kit/clock.ts";

export type JobState = "waiting" | "active" | "completed" | "failed";

export interface LeaseQueueOptions {
  clock: Clock;
  lockDurationMs?: number;
  maxStalledCount?: number;
  busyTimeoutMs?: number;
}

export interface Claim {
  id: number;
  name: string;
  data: unknown;
  token: string;
  lockedUntil: number;
  stalledCount: number;
}

export interface JobInfo {
  id: number;
  name: string;
  state: JobState;
  stalledCount: number;
  lockedUntil: number | null;
  failedReason: string | null;
  result: unknown;
}

export interface ReapResult {
  requeued: number[];
  failed: number[];
}

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
  id: number;
  name: string;
  data: string;
  state: JobState;
  lock_token: string | null;
  locked_until: number | null;
  stalled_count: number;
  failed_reason: string | null;
  result: string | null;
}

export function openLeaseQueue(file: string, options: LeaseQueueOptions): LeaseQueue {
  const { clock, lockDurationMs = 30_000, maxStalledCount = 1 } = options;
  const db = new Database(file);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5_000}`);
  db.pragma("journal_mode = WAL");
  db.exec(SCHEMA);

  const insert = db.prepare<[string, string]>("INSERT INTO lease_jobs (name, data) VALUES (?, ?)");
  const claimRow = db.prepare<{ token: string; until: number }, Row>(`
    UPDATE lease_jobs SET state = 'active', lock_token = @token, locked_until = @until
     WHERE id = (SELECT id FROM lease_jobs WHERE state = 'waiting' ORDER BY id LIMIT 1)
    RETURNING *`);
  // A token is valid while the job is active, holds that token and the lease
  // has not run out. Every holder operation checks all three in its WHERE.
  const extendRow = db.prepare<{ id: number; token: string; now: number; until: number }>(`
    UPDATE lease_jobs SET locked_until = @until
     WHERE id = @id AND state = 'active' AND lock_token = @token AND locked_until > @now`);
  const finishRow = db.prepare<{ id: number; token: string; now: number; state: JobState; reason: string | null; result: string | null }>(`
    UPDATE lease_jobs SET state = @state, failed_reason = @reason, result = @result,
                          lock_token = NULL, locked_until = NULL
     WHERE id = @id AND state = 'active' AND lock_token = @token AND locked_until > @now`);
  const reapRows = db.prepare<{ now: number; max: number; reason: string }, { id: number; state: JobState }>(`
    UPDATE lease_jobs
       SET stalled_count = stalled_count + 1,
           state = CASE WHEN stalled_count + 1 > @max THEN 'failed' ELSE 'waiting' END,
           failed_reason = CASE WHEN stalled_count + 1 > @max THEN @reason ELSE failed_reason END,
           lock_token = NULL, locked_until = NULL
     WHERE state = 'active' AND locked_until <= @now
    RETURNING id, state`);
  const getRow = db.prepare<[number], Row>("SELECT * FROM lease_jobs WHERE id = ?");

  const finish = (id: number, token: string, state: JobState, reason: string | null, result: unknown) =>
    finishRow.run({
      id,
      token,
      now: clock.now(),
      state,
      reason,
      result: result === undefined ? null : JSON.stringify(result),
    }).changes === 1;

  return {
    add(name, data) {
      return Number(insert.run(name, JSON.stringify(data)).lastInsertRowid);
    },

    claim() {
      const row = db
        .transaction(() => claimRow.get({ token: randomUUID(), until: clock.now() + lockDurationMs }))
        .immediate();
      if (!row) return undefined;
      return {
        id: row.id,
        name: row.name,
        data: JSON.parse(row.data) as unknown,
        token: row.lock_token!,
        lockedUntil: row.locked_until!,
        stalledCount: row.stalled_count,
      };
    },

    extend(id, token) {
      const now = clock.now();
      return extendRow.run({ id, token, now, until: now + lockDurationMs }).changes === 1;
    },

    complete(id, token, result) {
      return finish(id, token, "completed", null, result);
    },

    fail(id, token, reason) {
      return finish(id, token, "failed", reason, undefined);
    },

    reap() {
      const rows = db
        .transaction(() => reapRows.all({ now: clock.now(), max: maxStalledCount, reason: STALLED_REASON }))
        .immediate();
      const ids = (state: JobState) => rows.filter((r) => r.state === state).map((r) => r.id).sort((a, b) => a - b);
      return { requeued: ids("waiting"), failed: ids("failed") };
    },

    get(id) {
      const row = getRow.get(id);
      if (!row) return undefined;
      return {
        id: row.id,
        name: row.name,
        state: row.state,
        stalledCount: row.stalled_count,
        lockedUntil: row.locked_until,
        failedReason: row.failed_reason,
        result: row.result === null ? undefined : (JSON.parse(row.result) as unknown),
      };
    },

    close() {
      db.close();
    },
  };
}

export type Outcome = "completed" | "failed" | "lease-lost";

export interface RunOptions {
  clock: Clock;
  heartbeatMs: number;
}

export class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

export async function runWithLease(
  queue: LeaseQueue,
  claim: Claim,
  handler: (data: unknown, signal: AbortSignal) => Promise<unknown>,
  { clock, heartbeatMs }: RunOptions,
): Promise<Outcome> {
  const controller = new AbortController();
  let timer: TimerId | undefined;
  const heartbeat = () => {
    if (queue.extend(claim.id, claim.token)) {
      timer = clock.setTimeout(heartbeat, heartbeatMs);
    } else {
      timer = undefined;
      controller.abort(new LeaseLostError(`lease lost for job ${claim.id}`));
    }
  };
  timer = clock.setTimeout(heartbeat, heartbeatMs);

  try {
    const result = await handler(claim.data, controller.signal);
    if (controller.signal.aborted) return "lease-lost";
    return queue.complete(claim.id, claim.token, result) ? "completed" : "lease-lost";
  } catch (error) {
    if (controller.signal.aborted) return "lease-lost";
    const reason = error instanceof Error ? error.message : String(error);
    return queue.fail(claim.id, claim.token, reason) ? "failed" : "lease-lost";
  } finally {
    // Stop heartbeating whatever happened: a finished job has nothing to extend.
    if (timer !== undefined) clock.clearTimeout(timer);
  }
}
