// Real processes, real SIGKILL: each test builds a shop database with a few
// orders, runs worker processes (worker-main.ts: the course's worker loop with
// the candidate's step) with faults injected at chosen points, restarts them,
// and then reads the provider's books and the shop's tables.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildProcess } from "node:child_process";
import { afterAll, describe, expect, test } from "vitest";
import { exited, spawnTs } from "#kit/spawn-ts.ts";
import { loadCandidate } from "../../_harness/candidate.ts";
import { createOrder, deadLetters, jobsByOrder, listOrders, openShop } from "../../../../lessons/6-streams-http-and-production/26-capstone-orders/shop.ts";
import { chargesByOrder } from "../../../../lessons/6-streams-http-and-production/26-capstone-orders/provider.ts";
import type { WorkerEvent } from "../../../../lessons/6-streams-http-and-production/26-capstone-orders/worker.ts";

type Challenge = typeof import("../../../../lessons/6-streams-http-and-production/26-capstone-orders/challenge.ts");
// Loaded here too so that a candidate that does not even import fails with its own error.
await loadCandidate<Challenge>(import.meta.url);

const PROCESS_TEST_TIMEOUT_MS = 20_000;
const workerMain = fileURLToPath(new URL("./worker-main.ts", import.meta.url));
const dirs: string[] = [];
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Shop {
  shopFile: string;
  providerFile: string;
  orderIds: string[];
}

function shopWith(amounts: number[]): Shop {
  const dir = mkdtempSync(path.join(tmpdir(), "qc-capstone-test-"));
  dirs.push(dir);
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
 * starts in about 0.3 s on an idle machine; the generous limits and the 20 s
 * test timeout only matter on a machine that is busy with other work.
 */
async function runWorker(shop: Shop, env: Record<string, string>, onEvent?: (e: WorkerEvent, child: ChildProcess) => void, limitMs = 8000): Promise<Run> {
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

describe("exactly-once charging with real worker processes", () => {
  // First: one worker, no crash. Most wrong answers fail here, before the tests that start several processes.
  test("a lost provider response is retried without a second charge, and a declined card is dead-lettered with its reason", async () => {
    const shop = shopWith([3000, 250_000, 500]);
    const run = await runWorker(shop, { UNTIL_IDLE: "1", LOSE_FIRST_RESPONSE: shop.orderIds[0]! });
    expect(run.how, `the worker should finish the queue and exit 0${explain(run)}`).toBe(0);
    expectExactlyOnce(shop, [shop.orderIds[1]!]);
  }, PROCESS_TEST_TIMEOUT_MS);

  test("a worker killed right after the provider charged: the restarted worker does not charge again", async () => {
    const shop = shopWith([2500, 4200, 1999]);
    const first = await runWorker(shop, { CRASH_AFTER_CHARGE: shop.orderIds[1]! });
    expect(first.how, `the first worker should die by SIGKILL right after the provider charged ${shop.orderIds[1]} (does processOrder call provider.charge?)${explain(first)}`).toBe("SIGKILL");
    const second = await runWorker(shop, { UNTIL_IDLE: "1" });
    expect(second.how, `the restarted worker should finish the queue and exit 0${explain(second)}`).toBe(0);
    expectExactlyOnce(shop);
  }, PROCESS_TEST_TIMEOUT_MS);

  test("a worker killed right before the charge: the job is not acknowledged, the next worker pays the order", async () => {
    const shop = shopWith([1000, 2000]);
    const first = await runWorker(shop, { CRASH_BEFORE_CHARGE: shop.orderIds[0]! });
    expect(first.how, `the first worker should die by SIGKILL as it calls provider.charge for ${shop.orderIds[0]}${explain(first)}`).toBe("SIGKILL");
    const second = await runWorker(shop, { UNTIL_IDLE: "1" });
    expect(second.how, `the restarted worker should finish the queue and exit 0${explain(second)}`).toBe(0);
    expectExactlyOnce(shop);
  }, PROCESS_TEST_TIMEOUT_MS);

  test("a stalled worker whose lease ran out: the worker that reclaims the job and the stalled one charge once between them", async () => {
    const shop = shopWith([1500, 2500, 3500]);
    const stalledOrder = shop.orderIds[0]!;
    // Both start now; the second waits until the first has claimed the job, so the first is the one that stalls.
    const [firstRun, secondRun] = await Promise.all([
      runWorker(shop, { UNTIL_IDLE: "1", STALL_UNTIL_RECLAIMED: stalledOrder }),
      runWorker(shop, { UNTIL_IDLE: "1", START_WHEN_CLAIMED: stalledOrder }),
    ]);
    expect(firstRun.how, `the stalled worker should resume, finish and exit 0${explain(firstRun)}`).toBe(0);
    expect(secondRun.how, `the second worker should finish the queue and exit 0${explain(secondRun)}`).toBe(0);
    const reclaimed = secondRun.events.some((e) => e.type === "claimed" && e.orderId === stalledOrder);
    expect(reclaimed, `the second worker should have reclaimed ${stalledOrder} after its lease ran out`).toBe(true);
    expectExactlyOnce(shop);
  }, PROCESS_TEST_TIMEOUT_MS);

  test("SIGTERM during a charge: the worker finishes that order, exits 0, and a restart loses nothing", async () => {
    const shop = shopWith([1200, 3400, 5600]);
    const first = await runWorker(shop, { PAUSE_UNTIL_SIGTERM: "1" }, (e, child) => {
      if (e.type === "paused") child.kill("SIGTERM");
    });
    expect(first.how, `after SIGTERM the worker should finish its job and exit 0${explain(first)}`).toBe(0);
    const claimed = first.events.filter((e) => e.type === "claimed");
    expect(claimed.length, "a worker told to stop must not claim another job").toBe(1);
    const db = openShop(shop.shopFile);
    const inFlight = (claimed[0] as { orderId: string } | undefined)?.orderId ?? "";
    const job = jobsByOrder(db).get(inFlight);
    const active = [...jobsByOrder(db).values()].filter((j) => j.status === "active").length;
    db.close();
    expect(job?.status, `the job that was in flight at SIGTERM (${inFlight}) must be finished and acknowledged before the worker exits`).toBe("done");
    expect(active, "a graceful stop must leave no job active").toBe(0);
    const second = await runWorker(shop, { UNTIL_IDLE: "1" });
    expect(second.how, `the restarted worker should finish the queue and exit 0${explain(second)}`).toBe(0);
    expectExactlyOnce(shop);
  }, PROCESS_TEST_TIMEOUT_MS);
});
