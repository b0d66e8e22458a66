// queuecraft:hidden-or-solution — never in a student edition
// The order step is graded in two ways. In this process, each attempt of a job
// gets its own connection to a shop database and a payment provider whose
// books the test reads, and the test decides exactly where a "crash" (an
// attempt that never gets its answer), a second attempt or a failing
// statement happens: the same interleaving on every run. A later attempt runs
// on a fresh copy of the candidate's module, as a restarted process would, so
// nothing kept in memory survives. Then real worker processes (worker-main.ts:
// the course's worker loop with the candidate's step) are stopped with
// SIGTERM and SIGKILL and restarted.

import { mkdtempSync, rmSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ChildProcess } from "node:child_process";
import type Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { exited, spawnTs } from "#kit/spawn-ts.ts";
import { candidatePath, loadCandidate } from "../../_harness/candidate.ts";
import { createOrder, deadLetters, jobsByOrder, listOrders, openShop } from "../../../../lessons/6-streams-http-and-production/26-capstone-orders/shop.ts";
import { chargesByOrder } from "../../../../lessons/6-streams-http-and-production/26-capstone-orders/provider.ts";
import type { WorkerEvent } from "../../../../lessons/6-streams-http-and-production/26-capstone-orders/worker.ts";
import { injectedFailure, installStatementHook, type InstalledHook } from "../../_harness/statement-hook.ts";

type Challenge = typeof import("../../../../lessons/6-streams-http-and-production/26-capstone-orders/challenge.ts");
type ChargeRequest = import("../../../../lessons/6-streams-http-and-production/26-capstone-orders/challenge.ts").ChargeRequest;
type Charge = import("../../../../lessons/6-streams-http-and-production/26-capstone-orders/challenge.ts").Charge;
type PaymentProvider = import("../../../../lessons/6-streams-http-and-production/26-capstone-orders/challenge.ts").PaymentProvider;

const firstProcess = await loadCandidate<Challenge>(import.meta.url);
const candidateUrl = pathToFileURL(candidatePath(import.meta.url)).href;
let processCount = 0;
/** The candidate as a newly started worker process loads it: a fresh module, nothing remembered in memory. */
const newProcess = async (): Promise<Challenge> => (await import(`${candidateUrl}?process=${++processCount}`)) as Challenge;

const dirs: string[] = [];
const connections = new Set<Database.Database>();
const hooks = new Set<InstalledHook>();
afterEach(() => {
  for (const hook of hooks) hook.uninstall();
  hooks.clear();
  for (const db of connections) {
    try {
      db.close();
    } catch {
      // already closed
    }
  }
  connections.clear();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "qc-capstone-test-"));
  dirs.push(dir);
  return dir;
}

function connect(file: string): Database.Database {
  const db = openShop(file);
  connections.add(db);
  return db;
}

interface TestShop {
  file: string;
  orderIds: string[];
}

function newShop(amounts: number[]): TestShop {
  const file = path.join(tempDir(), "shop.db");
  const db = openShop(file);
  const orderIds = amounts.map((amount, i) => createOrder(db, `req-${i}`, amount).order.id);
  db.close();
  return { file, orderIds };
}

const permanent = (message: string) => Object.assign(new Error(message), { permanent: true });
const transient = (message: string) => Object.assign(new Error(message), { permanent: false });

/**
 * A payment provider whose books the test reads. It deduplicates by
 * idempotencyKey (a key it has seen returns the first charge and moves no
 * money) unless it has forgotten every key. Gates let a test hold a request
 * before the money moves or after it moved (before the answer leaves); a gate
 * that never opens is a process that died right there.
 */
class Books implements PaymentProvider {
  readonly requests: ChargeRequest[] = [];
  readonly charges: Array<{ chargeId: string; key: string; orderId: string; amountCents: number }> = [];
  forgetsKeys = false;
  declineAboveCents = 100_000;
  loseFirstResponseFor = new Set<string>();
  beforeMoney?: (request: ChargeRequest) => Promise<void> | void;
  afterMoney?: (request: ChargeRequest) => Promise<void> | void;
  onRequest?: (request: ChargeRequest) => void;

  async charge(request: ChargeRequest): Promise<Charge> {
    this.requests.push({ ...request });
    this.onRequest?.(request);
    await this.beforeMoney?.(request);
    const seen = this.forgetsKeys ? undefined : this.charges.find((c) => c.key === request.idempotencyKey);
    if (seen) {
      if (seen.amountCents !== request.amountCents) throw permanent("idempotency_key_reused: same key, different amount");
      return { chargeId: seen.chargeId, amountCents: seen.amountCents };
    }
    if (request.amountCents > this.declineAboveCents) throw permanent("card_declined: amount over the card limit");
    const charge = { chargeId: `ch_${this.charges.length + 1}`, key: request.idempotencyKey, orderId: request.orderId, amountCents: request.amountCents };
    this.charges.push(charge);
    await this.afterMoney?.(request);
    if (this.loseFirstResponseFor.delete(request.orderId)) throw transient("provider_timeout: no response (the charge went through)");
    return { chargeId: charge.chargeId, amountCents: charge.amountCents };
  }

  chargesFor(orderId: string): string[] {
    return this.charges.filter((c) => c.orderId === orderId).map((c) => c.chargeId);
  }
}

/** A promise that never settles: the process waiting on it has died. */
const never = () => new Promise<never>(() => {});

type Settled = { ok: true } | { ok: false; error: unknown };

interface Attempt {
  db: Database.Database;
  token: string;
  /** What each ack() call returned, in order. */
  acks: boolean[];
  outcome: Promise<Settled>;
}

/** The statements the test runs itself (claims, acks): never counted by a hook. */
const ours = new WeakSet<object>();
function prepareOurs(db: Database.Database, sql: string): Database.Statement {
  const statement = db.prepare(sql);
  ours.add(statement);
  return statement;
}

/**
 * Claims the order's job for a new attempt (whatever its state: a lease that
 * ran out is claimable, as in worker.ts) and starts the candidate's step on
 * its own connection. `busyTimeoutMs` 0 makes an attempt that needs a write
 * lock another attempt holds fail at once instead of waiting; `watch` learns
 * the attempt's connection before the step starts.
 */
function startAttempt(
  step: Challenge,
  shop: TestShop,
  orderId: string,
  books: PaymentProvider,
  options: { busyTimeoutMs?: number; watch?: (db: Database.Database) => void } = {},
): Attempt {
  const db = connect(shop.file);
  if (options.busyTimeoutMs !== undefined) db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  step.migrate(db);
  options.watch?.(db); // from here on, a hook may count this connection's statements
  const token = randomUUID();
  const claimed = prepareOurs(
    db,
    "UPDATE jobs SET status = 'active', attempts = attempts + 1, lease_token = ?, lease_until = ? WHERE order_id = ? RETURNING id, attempts",
  ).get(token, Date.now() + 60_000, orderId) as { id: number; attempts: number };
  const ack = prepareOurs(db, "UPDATE jobs SET status = 'done', lease_token = NULL WHERE id = ? AND status = 'active' AND lease_token = ?");
  const acks: boolean[] = [];
  const outcome = new Promise<void>((resolve) =>
    resolve(
      step.processOrder({
        db,
        job: { id: claimed.id, orderId, attempt: claimed.attempts },
        provider: books,
        newIdempotencyKey: () => randomUUID(),
        ack: () => {
          const done = ack.run(claimed.id, token).changes > 0;
          acks.push(done);
          return done;
        },
      }),
    ),
  ).then(
    (): Settled => ({ ok: true }),
    (error: unknown): Settled => ({ ok: false, error }),
  );
  return { db, token, acks, outcome };
}

function jobOf(shop: TestShop, orderId: string): { status: string; attempts: number } {
  const db = connect(shop.file);
  return jobsByOrder(db).get(orderId)!;
}

function orderOf(shop: TestShop, orderId: string) {
  const db = connect(shop.file);
  return listOrders(db).find((o) => o.id === orderId)!;
}

/** What the worker loop does next: retries the job, in new processes, until it is acknowledged (at most 5 more attempts). */
async function retryUntilDone(shop: TestShop, orderId: string, books: Books): Promise<void> {
  for (let i = 0; i < 5 && jobOf(shop, orderId).status !== "done"; i++) {
    const attempt = startAttempt(await newProcess(), shop, orderId, books);
    const settled = await attempt.outcome;
    if (!settled.ok && (settled.error as { permanent?: unknown } | null)?.permanent === true) return;
  }
}

/** The order was charged exactly once, and that charge is recorded on the paid order, whose job is done. */
function expectPaidOnce(shop: TestShop, orderId: string, books: Books, story: string): void {
  const charges = books.chargesFor(orderId);
  expect(charges.length, `${story}: the provider must have charged ${orderId} exactly once, but it charged ${charges.length} time(s)`).toBe(1);
  const order = orderOf(shop, orderId);
  expect(order.status, `${story}: the charged order must be recorded as 'paid'`).toBe("paid");
  expect(order.chargeId, `${story}: orders.charge_id must hold the provider's chargeId`).toBe(charges[0]);
  expect(jobOf(shop, orderId).status, `${story}: the job must end acknowledged (done)`).toBe("done");
}

describe("one attempt at a time, in this process", () => {
  test("[C1] migrate() can run again and again, on the same connection and on another one", () => {
    const shop = newShop([1000]);
    const a = connect(shop.file);
    const b = connect(shop.file);
    expect(() => {
      firstProcess.migrate(a);
      firstProcess.migrate(a);
      firstProcess.migrate(b);
    }, "migrate runs at every worker start, in every process: it must not fail on a database it has already migrated (CREATE TABLE IF NOT EXISTS)").not.toThrow();
  });

  test("[C3][C4] one attempt charges the order's amount once, records the chargeId as paid, and acknowledges only after the charge", async () => {
    const shop = newShop([2500]);
    const [orderId] = shop.orderIds as [string];
    const books = new Books();
    let ackedBeforeCharge: boolean | undefined;
    const probe = connect(shop.file);
    books.onRequest = () => (ackedBeforeCharge ??= jobsByOrder(probe).get(orderId)?.status === "done");
    const attempt = startAttempt(firstProcess, shop, orderId, books);
    const settled = await attempt.outcome;
    expect(settled, "processOrder must resolve when the charge succeeds").toEqual({ ok: true });
    expect(books.requests.map((r) => ({ orderId: r.orderId, amountCents: r.amountCents })), "one charge request, for the order's id and amount").toEqual([
      { orderId, amountCents: 2500 },
    ]);
    expect(ackedBeforeCharge, "ack() was called before provider.charge(): acknowledge only after the charge is recorded").toBe(false);
    expect(attempt.acks, "ack() must be called once, after the charge is recorded").toEqual([true]);
    expectPaidOnce(shop, orderId, books, "one attempt, nothing went wrong");
  });

  test("[C5] a declined card: the provider's own error propagates (error.permanent kept), the order is not recorded and the job not acknowledged", async () => {
    const shop = newShop([250_000]);
    const [orderId] = shop.orderIds as [string];
    const books = new Books();
    const attempt = startAttempt(firstProcess, shop, orderId, books);
    const settled = await attempt.outcome;
    const error = settled.ok ? undefined : (settled.error as { message?: unknown; permanent?: unknown } | undefined);
    expect(settled.ok, "processOrder must reject when the provider declines the card (do not catch the provider's errors)").toBe(false);
    expect(
      { permanent: error?.permanent, message: error?.message },
      "the rejection must be the provider's error itself: permanent stays true (so the worker dead-letters at once) and its message is the dead letter's reason",
    ).toEqual({ permanent: true, message: "card_declined: amount over the card limit" });
    expect(attempt.acks, "a job whose charge failed must not be acknowledged").toEqual([]);
    expect(orderOf(shop, orderId).status, "the step must not mark a declined order paid or failed itself (the worker's dead letter does)").toBe("pending");
    expect(books.chargesFor(orderId), "nothing was charged").toEqual([]);
  });

  test("[C2][C5] a response lost after the money moved: the transient error propagates, and the retry in a new process charges nothing more", async () => {
    const shop = newShop([3000]);
    const [orderId] = shop.orderIds as [string];
    const books = new Books();
    books.loseFirstResponseFor.add(orderId);
    const settled = await startAttempt(firstProcess, shop, orderId, books).outcome;
    const error = settled.ok ? undefined : (settled.error as { message?: unknown; permanent?: unknown } | undefined);
    expect(
      { rejected: !settled.ok, permanent: error?.permanent, message: error?.message },
      "a lost provider response must propagate unchanged (a transient error: the worker retries it)",
    ).toEqual({ rejected: true, permanent: false, message: "provider_timeout: no response (the charge went through)" });
    expect(jobOf(shop, orderId).status, "a job whose charge timed out must not be acknowledged").toBe("active");
    expect(orderOf(shop, orderId).status, "a charge that timed out must not be recorded as paid or failed").toBe("pending");
    await retryUntilDone(shop, orderId, books);
    expectPaidOnce(shop, orderId, books, "the provider charged but its response was lost, then the job was retried");
  });

  test("[C6] an order already recorded as paid is only acknowledged: the provider (which may have forgotten the key) is not asked again", async () => {
    const shop = newShop([1800]);
    const [orderId] = shop.orderIds as [string];
    const db = connect(shop.file);
    // An earlier attempt recorded the charge and died before its ack; the provider has since forgotten its keys.
    db.prepare("UPDATE orders SET status = 'paid', charge_id = 'ch_1' WHERE id = ?").run(orderId);
    const books = new Books();
    books.forgetsKeys = true;
    books.charges.push({ chargeId: "ch_1", key: "an-earlier-key", orderId, amountCents: 1800 });
    const attempt = startAttempt(await newProcess(), shop, orderId, books);
    expect(await attempt.outcome, "processOrder must resolve for an order that is already paid").toEqual({ ok: true });
    expect(books.requests.length, "the order is already paid (orders.status): check your own records first and do not charge again").toBe(0);
    expect(attempt.acks, "the already-paid order's job must be acknowledged").toEqual([true]);
    expectPaidOnce(shop, orderId, books, "the order was already paid");
  });
});

describe("crashes and a second attempt, at chosen points", () => {
  test("[C2][C4] a worker killed right after the provider committed the charge: the attempt in a new process does not charge again", async () => {
    const shop = newShop([4200]);
    const [orderId] = shop.orderIds as [string];
    const books = new Books();
    books.afterMoney = () => never(); // the money moved; the process dies before the answer arrives
    void startAttempt(firstProcess, shop, orderId, books);
    await new Promise((resolve) => setImmediate(resolve));
    expect(books.chargesFor(orderId).length, "the first attempt must call provider.charge").toBe(1);
    books.afterMoney = undefined;
    await retryUntilDone(shop, orderId, books);
    expectPaidOnce(
      shop,
      orderId,
      books,
      "the first worker died right after the provider charged; a new process retried (the idempotency key must be stored in the database before the charge, and reused)",
    );
  });

  test("[C4] a worker killed right before the charge: its job is not acknowledged, and the next attempt pays the order", async () => {
    const shop = newShop([1999]);
    const [orderId] = shop.orderIds as [string];
    const books = new Books();
    books.beforeMoney = () => never(); // the process dies as it calls the provider
    const first = startAttempt(firstProcess, shop, orderId, books);
    await new Promise((resolve) => setImmediate(resolve));
    expect(books.requests.length, "the first attempt must call provider.charge").toBe(1);
    expect(first.acks, "a job must not be acknowledged before its charge: a crash then loses the payment").toEqual([]);
    books.beforeMoney = undefined;
    await retryUntilDone(shop, orderId, books);
    expectPaidOnce(shop, orderId, books, "the first worker died as it called the provider; a new process retried");
  });

  for (const moment of ["before the money moved", "after the money moved, before the answer arrived"] as const) {
    test(`[C2][C3] a second attempt (the job reclaimed after its lease ran out) runs while the first waits for the provider ${moment}: one charge in total`, async () => {
      const shop = newShop([1500]);
      const [orderId] = shop.orderIds as [string];
      const books = new Books();
      let resume!: () => void;
      const paused = new Promise<void>((resolve) => (resume = resolve));
      let held = 0;
      const gate = async () => {
        if (held++ === 0) await paused; // only the first attempt's request waits
      };
      if (moment === "before the money moved") books.beforeMoney = gate;
      else books.afterMoney = gate;
      const first = startAttempt(firstProcess, shop, orderId, books);
      await new Promise((resolve) => setImmediate(resolve));
      expect(books.requests.length, "the first attempt must call provider.charge").toBe(1);
      // The first worker is frozen; its lease runs out and another process takes the job over.
      const second = startAttempt(await newProcess(), shop, orderId, books);
      const secondSettled = await second.outcome;
      resume();
      const firstSettled = await first.outcome;
      expect(
        books.chargesFor(orderId).length,
        `two attempts overlapped (the first frozen ${moment}): the provider charged ${books.chargesFor(orderId).length} times. Every attempt must send the same key, read from the database`,
      ).toBe(1);
      if (secondSettled.ok) {
        expect(
          firstSettled,
          "the frozen first attempt woke up after the second one had paid the order: its ack() returns false (the job was reclaimed), and then processOrder must simply resolve, not throw (throwing inside the transaction would also roll its record back)",
        ).toEqual({ ok: true });
        expect(first.acks.filter(Boolean), "the frozen first attempt's ack() cannot succeed: the job was reclaimed").toEqual([]);
      }
      await retryUntilDone(shop, orderId, books);
      expectPaidOnce(shop, orderId, books, `two attempts overlapped, the first frozen ${moment}`);
    });
  }

  test("[C2][C3] both attempts wait for the provider; the one whose job was reclaimed gets its answer first: the new owner must still acknowledge", async () => {
    const shop = newShop([2200]);
    const [orderId] = shop.orderIds as [string];
    const books = new Books();
    const gates: Array<() => void> = [];
    books.beforeMoney = () => new Promise<void>((resolve) => gates.push(resolve));
    const first = startAttempt(firstProcess, shop, orderId, books);
    await new Promise((resolve) => setImmediate(resolve));
    const second = startAttempt(await newProcess(), shop, orderId, books); // the job is reclaimed: the first attempt is stale now
    await new Promise((resolve) => setImmediate(resolve));
    expect(gates.length, "both attempts must call provider.charge").toBe(2);
    gates[0]!(); // the stale attempt gets its answer first and records the charge
    const firstSettled = await first.outcome;
    gates[1]!(); // then the new owner gets the same charge back
    const secondSettled = await second.outcome;
    expect(books.chargesFor(orderId).length, "both attempts sent their request: the provider must have charged once (the same key)").toBe(1);
    expect(firstSettled, "the stale attempt's ack() returned false: processOrder must then simply resolve").toEqual({ ok: true });
    expect(secondSettled, "the new owner's attempt must resolve").toEqual({ ok: true });
    expect(
      second.acks,
      "the new owner found the order already recorded (by the stale attempt, with the same charge): it must still call ack() and acknowledge the job, or the job is retried for nothing",
    ).toEqual([true]);
    expectPaidOnce(shop, orderId, books, "two attempts waited for the provider at once");
  });

  test("[C2] a second attempt starting between any two of the first attempt's statements: one charge in total", async () => {
    for (let gap = 1; gap <= 10; gap++) {
      const shop = newShop([2700]);
      const [orderId] = shop.orderIds as [string];
      const books = new Books();
      const otherProcess = await newProcess();
      let watched: Database.Database | undefined;
      let second: Attempt | undefined;
      const hook = installStatementHook(
        (n, when) => {
          if (n !== gap + 1 || when !== "before") return;
          try {
            // The second attempt runs up to its first await, right here, then both go on.
            second = startAttempt(otherProcess, shop, orderId, books, { busyTimeoutMs: 0 });
          } catch {
            // the first attempt holds the write lock, so the job could not be reclaimed now: right
          }
        },
        (statement) => statement.database === watched && !ours.has(statement),
      );
      hooks.add(hook);
      const first = startAttempt(firstProcess, shop, orderId, books, { watch: (db) => (watched = db) });
      await Promise.all([first.outcome, (second as Attempt | undefined)?.outcome]);
      // The second attempt may have started only now, in the first one's later statements.
      await (second as Attempt | undefined)?.outcome;
      const statements = hook.statements();
      hook.uninstall();
      hooks.delete(hook);
      await retryUntilDone(shop, orderId, books);
      expectPaidOnce(
        shop,
        orderId,
        books,
        `a second attempt started between the first attempt's statements #${gap} and #${gap + 1} (read the stored key and store a new one in one step: INSERT OR IGNORE, then SELECT)`,
      );
      if (statements <= gap) break; // every gap has been tried
    }
  });

  test("[C2][C4] a statement of the step that fails, at any point: no job is left acknowledged with an unpaid order, and the retry charges exactly once", async () => {
    for (let gap = 1; gap <= 10; gap++) {
      const shop = newShop([3300]);
      const [orderId] = shop.orderIds as [string];
      const books = new Books();
      let watched: Database.Database | undefined;
      const hook = installStatementHook(
        (n, when) => {
          if (n === gap && when === "before") throw injectedFailure();
        },
        (statement) => statement.database === watched && !ours.has(statement),
      );
      hooks.add(hook);
      await startAttempt(firstProcess, shop, orderId, books, { watch: (db) => (watched = db) }).outcome;
      const statements = hook.statements();
      hook.uninstall();
      hooks.delete(hook);
      if (jobOf(shop, orderId).status === "done") {
        expect(
          orderOf(shop, orderId).status,
          `your step's statement #${gap} failed after the job was acknowledged: the order is not paid and nothing will ever retry it. Record the charge and call ack() in one db.transaction`,
        ).toBe("paid");
      }
      await retryUntilDone(shop, orderId, books);
      expectPaidOnce(shop, orderId, books, `your step's statement #${gap} failed, then the job was retried`);
      if (statements < gap) break; // every statement has failed once
    }
  });
});

const PROCESS_TEST_TIMEOUT_MS = 45_000;
const workerMain = fileURLToPath(new URL("./worker-main.ts", import.meta.url));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

interface Shop {
  shopFile: string;
  providerFile: string;
  orderIds: string[];
}

function shopWith(amounts: number[]): Shop {
  const dir = tempDir();
  const shopFile = path.join(dir, "shop.db");
  const db = openShop(shopFile);
  const orderIds = amounts.map((amount, i) => createOrder(db, `req-${i}`, amount).order.id);
  db.close();
  return { shopFile, providerFile: path.join(dir, "provider.db"), orderIds };
}

interface Run {
  how: number | NodeJS.Signals | "timeout";
  events: WorkerEvent[];
  stderr: string;
}

/**
 * Runs one worker process to its end, killing it after `limitMs`. A process
 * starts in about 0.3 s on an idle machine; the generous limits and the 45 s
 * test timeout only matter on a machine that is busy with other work.
 */
async function runWorker(shop: Shop, env: Record<string, string>, onEvent?: (e: WorkerEvent, child: ChildProcess) => void, limitMs = 14_000): Promise<Run> {
  const child = await spawnTs(workerMain, [], {
    env: { SHOP_DB: shop.shopFile, PROVIDER_DB: shop.providerFile, LEASE_MS: "300", ...env },
  });
  children.add(child);
  const events: WorkerEvent[] = [];
  let stderr = "";
  child.stdout?.resume();
  child.stderr?.on("data", (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString();
  });
  child.on("message", (e: WorkerEvent) => {
    events.push(e);
    onEvent?.(e, child);
  });
  let timedOut = false;
  const guard = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, limitMs);
  const how = await exited(child);
  clearTimeout(guard);
  children.delete(child);
  return { how: timedOut ? "timeout" : how, events, stderr: stderr.trim().split("\n").slice(-6).join("\n") };
}

function explain(run: Run): string {
  return run.stderr ? `\nworker stderr:\n${run.stderr}` : "";
}

/** Every order charged exactly once and recorded as paid, except the declined ones, which are dead letters with a reason. */
function expectExactlyOnce(shop: Shop, declined: string[] = []): void {
  const charges = (() => {
    try {
      return chargesByOrder(shop.providerFile);
    } catch {
      return new Map<string, string[]>(); // the provider was never called
    }
  })();
  const db = openShop(shop.shopFile);
  try {
    const orders = new Map(listOrders(db).map((o) => [o.id, o]));
    const jobs = jobsByOrder(db);
    const dead = deadLetters(db);
    for (const id of shop.orderIds) {
      const made = charges.get(id) ?? [];
      const order = orders.get(id)!;
      const job = jobs.get(id)!;
      if (declined.includes(id)) {
        expect(made.length, `${id} was declined by the provider and must not be charged`).toBe(0);
        const letter = dead.find((d) => d.orderId === id);
        expect(letter?.reason ?? "", `${id} was declined: its job must end in the dead-letter queue with the provider's reason (let permanent errors propagate)`).toMatch(/declined/);
        expect(
          letter?.attempts,
          `${id} was declined, a permanent error: it must be dead-lettered on its first attempt, not retried. Rethrow the provider's error itself (or keep error.permanent), do not wrap it in a new Error`,
        ).toBe(1);
        expect(order.status, `${id} was declined: the order must not be paid`).not.toBe("paid");
        continue;
      }
      expect(made.length, `${id} must be charged exactly once across crashes, stalls and restarts, but the provider made ${made.length} charge(s)`).toBe(1);
      expect(order.status, `${id} was charged, so the order must be recorded as 'paid'`).toBe("paid");
      expect(order.chargeId, `${id}: orders.charge_id must hold the provider's chargeId`).toBe(made[0]);
      expect(job.status, `${id}: its job must be acknowledged (done) once the charge is recorded`).toBe("done");
    }
  } finally {
    db.close();
  }
}

describe("real worker processes", () => {
  test("[C1][C2][C3][C5] SIGTERM during a charge, SIGKILL right after a charge, a lost response and a declined card: after the restarts every order is charged exactly once", async () => {
    const shop = shopWith([1200, 4200, 250_000, 7300]);
    const [first, second, declined, lost] = shop.orderIds as [string, string, string, string];

    const stopped = await runWorker(shop, { PAUSE_UNTIL_SIGTERM: "1" }, (e, child) => {
      if (e.type === "paused") child.kill("SIGTERM");
    });
    expect(stopped.how, `after SIGTERM the worker should finish the charge in flight and exit 0${explain(stopped)}`).toBe(0);
    const claimed = stopped.events.filter((e) => e.type === "claimed");
    expect(claimed.length, "a worker told to stop must not claim another job").toBe(1);
    const db = openShop(shop.shopFile);
    const afterStop = jobsByOrder(db).get(first)?.status;
    db.close();
    expect(afterStop, `the job in flight at SIGTERM (${first}) must be paid and acknowledged before the worker exits`).toBe("done");

    const killed = await runWorker(shop, { CRASH_AFTER_CHARGE: second });
    expect(killed.how, `the next worker should die by SIGKILL right after the provider charged ${second} (does processOrder call provider.charge?)${explain(killed)}`).toBe("SIGKILL");

    const restarted = await runWorker(shop, { UNTIL_IDLE: "1", LOSE_FIRST_RESPONSE: lost });
    expect(restarted.how, `the restarted worker should finish the queue and exit 0${explain(restarted)}`).toBe(0);
    expectExactlyOnce(shop, [declined]);
  }, PROCESS_TEST_TIMEOUT_MS);
});
