// The worker process: claims one job at a time with a lease, hands it to the
// order step (processOrder, the part you write in the challenge), and turns
// what happens into queue state: done, retried with backoff, or dead-lettered
// with the reason. SIGTERM stops claiming, lets the current job finish, exits 0.
//
// Leases use the real clock (these are real processes). A job whose lease ran
// out is claimable again: that is how a crashed or stalled worker's job gets
// back into circulation, and why the step itself must be safe to run twice.

import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import { openShop, type Db } from "./shop.ts";
import { FakePaymentProvider, type Charge, type ChargeRequest, type ProviderHooks } from "./provider.ts";

export interface OrderJob {
  id: number;
  orderId: string;
  /** 1 on the first try; every claim (including a reclaim after a lease ran out) adds one. */
  attempt: number;
}

export interface StepContext {
  db: Database.Database;
  job: OrderJob;
  provider: { charge(request: ChargeRequest): Promise<Charge> };
  newIdempotencyKey(): string;
  ack(): boolean;
}

export interface OrderStep {
  migrate(db: Database.Database): void;
  processOrder(ctx: StepContext): Promise<void>;
}

export type WorkerEvent =
  | { type: "claimed"; orderId: string; attempt: number }
  | { type: "done"; orderId: string }
  | { type: "retry"; orderId: string; reason: string }
  | { type: "dead"; orderId: string; reason: string }
  | { type: "paused"; orderId: string }
  | { type: "stopping" };

export interface WorkerOptions {
  shopFile: string;
  providerFile: string;
  step: OrderStep;
  leaseMs: number;
  pollMs?: number;
  /** Exit once no job is queued or active (instead of polling forever). */
  untilIdle?: boolean;
  loseFirstResponseFor?: string[];
  hooks?: (control: { stopping: () => boolean; db: Db }) => ProviderHooks;
  emit?: (event: WorkerEvent) => void;
  /** Resolves when the worker should stop taking jobs (SIGTERM in a process). */
  stopSignal?: AbortSignal;
}

interface Claimed {
  id: number;
  order_id: string;
  attempts: number;
  max_attempts: number;
  token: string;
}

function claim(db: Db, leaseMs: number): Claimed | undefined {
  const token = randomUUID();
  const now = Date.now();
  const row = db
    .prepare(
      `UPDATE jobs SET status = 'active', attempts = attempts + 1, lease_token = ?, lease_until = ?
       WHERE id = (SELECT id FROM jobs
                   WHERE (status = 'queued' AND run_at <= ?) OR (status = 'active' AND lease_until <= ?)
                   ORDER BY id LIMIT 1)
       RETURNING id, order_id, attempts, max_attempts`,
    )
    .get(token, now + leaseMs, now, now) as Omit<Claimed, "token"> | undefined;
  return row && { ...row, token };
}

function deadLetter(db: Db, job: Claimed, reason: string): boolean {
  return db.transaction(() => {
    const { changes } = db
      .prepare("UPDATE jobs SET status = 'dead', last_error = ?, lease_token = NULL WHERE id = ? AND lease_token = ?")
      .run(reason, job.id, job.token);
    if (changes === 0) return false; // our lease was taken over: the new owner decides
    db.prepare("INSERT INTO dead_letters (job_id, order_id, reason, attempts) VALUES (?, ?, ?, ?)").run(job.id, job.order_id, reason, job.attempts);
    db.prepare("UPDATE orders SET status = 'failed' WHERE id = ? AND status = 'pending'").run(job.order_id);
    return true;
  })();
}

function retryLater(db: Db, job: Claimed, reason: string): boolean {
  const backoffMs = 50 * 2 ** (job.attempts - 1);
  const { changes } = db
    .prepare("UPDATE jobs SET status = 'queued', run_at = ?, last_error = ?, lease_token = NULL, lease_until = NULL WHERE id = ? AND lease_token = ?")
    .run(Date.now() + backoffMs, reason, job.id, job.token);
  return changes > 0;
}

function stillOurs(db: Db, job: Claimed): boolean {
  const row = db.prepare("SELECT 1 FROM jobs WHERE id = ? AND status = 'active' AND lease_token = ?").get(job.id, job.token);
  return row !== undefined;
}

function unfinished(db: Db): number {
  return (db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'active')").get() as { n: number }).n;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export async function runWorker(options: WorkerOptions): Promise<void> {
  const db = openShop(options.shopFile);
  options.step.migrate(db);
  const stopping = () => options.stopSignal?.aborted ?? false;
  const provider = new FakePaymentProvider(options.providerFile, {
    loseFirstResponseFor: options.loseFirstResponseFor,
    hooks: options.hooks?.({ stopping, db }),
  });
  const emit = options.emit ?? (() => {});
  try {
    while (!stopping()) {
      const job = claim(db, options.leaseMs);
      if (!job) {
        if (options.untilIdle && unfinished(db) === 0) break;
        await sleep(options.pollMs ?? 25, options.stopSignal);
        continue;
      }
      if (job.attempts > job.max_attempts) {
        // Its last try never finished: the worker died or stalled every time.
        const reason = `lease expired on attempt ${job.attempts - 1} of ${job.max_attempts}: worker crashed or stalled`;
        if (deadLetter(db, job, reason)) emit({ type: "dead", orderId: job.order_id, reason });
        continue;
      }
      emit({ type: "claimed", orderId: job.order_id, attempt: job.attempts });
      let acked = false;
      try {
        await options.step.processOrder({
          db,
          job: { id: job.id, orderId: job.order_id, attempt: job.attempts },
          provider,
          newIdempotencyKey: () => randomUUID(),
          ack: () => {
            const { changes } = db
              .prepare("UPDATE jobs SET status = 'done', lease_token = NULL, last_error = NULL WHERE id = ? AND status = 'active' AND lease_token = ?")
              .run(job.id, job.token);
            acked ||= changes > 0;
            return changes > 0;
          },
        });
        if (acked) emit({ type: "done", orderId: job.order_id });
        else if (stillOurs(db, job)) {
          const reason = "processOrder returned without calling ack()";
          if (retryLater(db, job, reason)) emit({ type: "retry", orderId: job.order_id, reason });
        }
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        const permanent = (err as { permanent?: unknown } | null)?.permanent === true;
        if (permanent || job.attempts >= job.max_attempts) {
          const why = permanent ? reason : `${reason} (gave up after ${job.attempts} attempts)`;
          if (deadLetter(db, job, why)) emit({ type: "dead", orderId: job.order_id, reason: why });
        } else if (retryLater(db, job, reason)) {
          emit({ type: "retry", orderId: job.order_id, reason });
        }
      }
    }
  } finally {
    provider.close();
    db.close();
  }
}

/**
 * Entry point of a worker process, configured by environment variables:
 * SHOP_DB, PROVIDER_DB, LEASE_MS, UNTIL_IDLE=1, LOSE_FIRST_RESPONSE (order ids,
 * comma-separated), and the fault injectors CRASH_BEFORE_CHARGE /
 * CRASH_AFTER_CHARGE (an order id: SIGKILL this process right there),
 * PAUSE_UNTIL_SIGTERM=1 (the first charge waits until SIGTERM arrived) and
 * STALL_UNTIL_RECLAIMED (an order id: its first charge waits until another
 * worker has reclaimed the job, as a frozen process would), and
 * START_WHEN_CLAIMED (an order id: do not start before some worker claimed it).
 */
export async function startFromEnv(step: OrderStep): Promise<never> {
  const env = process.env;
  const stop = new AbortController();
  const send = (event: WorkerEvent) => process.send?.(event);
  process.on("SIGTERM", () => {
    if (!stop.signal.aborted) send({ type: "stopping" });
    stop.abort();
  });
  const waitFor = async (what: () => boolean, limitMs = 5000) => {
    for (const deadline = Date.now() + limitMs; !what() && Date.now() < deadline; ) await sleep(10);
  };
  const attemptsOf = (db: Db, orderId: string) =>
    (db.prepare("SELECT attempts FROM jobs WHERE order_id = ?").get(orderId) as { attempts: number } | undefined)?.attempts ?? 0;
  if (env.START_WHEN_CLAIMED) {
    const db = openShop(env.SHOP_DB!);
    await waitFor(() => attemptsOf(db, env.START_WHEN_CLAIMED!) >= 1, 10_000);
    db.close();
  }
  let paused = false;
  let stalled = false;
  await runWorker({
    shopFile: env.SHOP_DB!,
    providerFile: env.PROVIDER_DB!,
    step,
    leaseMs: Number(env.LEASE_MS ?? 500),
    untilIdle: env.UNTIL_IDLE === "1",
    loseFirstResponseFor: env.LOSE_FIRST_RESPONSE ? env.LOSE_FIRST_RESPONSE.split(",") : [],
    stopSignal: stop.signal,
    emit: send,
    hooks: ({ stopping, db }) => ({
      async beforeCharge(request) {
        if (request.orderId === env.CRASH_BEFORE_CHARGE) process.kill(process.pid, "SIGKILL");
        if (env.PAUSE_UNTIL_SIGTERM === "1" && !paused) {
          paused = true;
          send({ type: "paused", orderId: request.orderId });
          await waitFor(stopping);
        }
        if (request.orderId === env.STALL_UNTIL_RECLAIMED && !stalled) {
          stalled = true;
          await waitFor(() => attemptsOf(db, request.orderId) >= 2, 10_000);
        }
      },
      afterCharge(request) {
        if (request.orderId === env.CRASH_AFTER_CHARGE) process.kill(process.pid, "SIGKILL");
      },
    }),
  });
  process.exit(0);
}
