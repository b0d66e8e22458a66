// Public tests for capstone-orders: worked examples of the contract in the
// stub's doc comments, in one process. The hidden tests add crashes, lost
// responses, overlapping attempts and real worker processes.
import Database from "better-sqlite3";
import { expect, test } from "vitest";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/6-streams-http-and-production/26-capstone-orders/challenge.ts");
type ChargeRequest = import("../../../../lessons/6-streams-http-and-production/26-capstone-orders/challenge.ts").ChargeRequest;
const { migrate, processOrder } = await loadCandidate<Challenge>(import.meta.url);

/** A shop with one pending order, a provider that remembers keys, and a job to ack. */
function shop() {
  const db = new Database(":memory:");
  db.exec("CREATE TABLE orders (id TEXT PRIMARY KEY, amount_cents INTEGER NOT NULL, status TEXT NOT NULL, charge_id TEXT)");
  db.prepare("INSERT INTO orders (id, amount_cents, status) VALUES ('o-1', 2500, 'pending')").run();
  const charges = new Map<string, { chargeId: string; amountCents: number }>();
  let failNext: Error | undefined;
  const provider = {
    async charge(request: ChargeRequest) {
      if (failNext) throw failNext;
      if (!charges.has(request.idempotencyKey)) charges.set(request.idempotencyKey, { chargeId: `ch_${charges.size + 1}`, amountCents: request.amountCents });
      return charges.get(request.idempotencyKey)!;
    },
  };
  let acks = 0;
  let keys = 0;
  const attempt = (n: number) => processOrder({ db, job: { id: 1, orderId: "o-1", attempt: n }, provider, newIdempotencyKey: () => `key-${++keys}`, ack: () => (acks++, true) });
  return { db, charges, attempt, acks: () => acks, fail: (error?: Error) => (failNext = error) };
}

test("[C1, C3] example: migrate twice is fine; a step charges the order, records it and acks", async () => {
  const s = shop();
  migrate(s.db);
  migrate(s.db);
  await s.attempt(1);
  expect(s.db.prepare("SELECT status, charge_id FROM orders WHERE id = 'o-1'").get()).toEqual({ status: "paid", charge_id: "ch_1" });
  expect(s.charges.size).toBe(1);
  expect(s.acks()).toBe(1);
});

test("[C2, C5] example: a retry after a provider error sends the same key, so money moves once", async () => {
  const s = shop();
  migrate(s.db);
  const timeout = new Error("provider timed out");
  s.fail(timeout);
  await expect(s.attempt(1)).rejects.toBe(timeout);
  expect(s.acks(), "not acknowledged after an error").toBe(0);
  s.fail(undefined);
  await s.attempt(2);
  expect(s.charges.size).toBe(1);
  expect(s.db.prepare("SELECT status FROM orders WHERE id = 'o-1'").get()).toEqual({ status: "paid" });
});

test("[C6] example: an order already paid is only acknowledged", async () => {
  const s = shop();
  migrate(s.db);
  s.db.prepare("UPDATE orders SET status = 'paid', charge_id = 'ch_earlier' WHERE id = 'o-1'").run();
  await s.attempt(3);
  expect(s.charges.size).toBe(0);
  expect(s.acks()).toBe(1);
});
