// Public tests for idempotency: worked examples of the contract in the stub's
// doc comments. The hidden tests check every clause, crashes included.
import { expect, test } from "vitest";
import { FakeClock } from "#kit/clock.ts";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/2-reliability/09-idempotency/challenge.ts");
type Ledger = import("../../../../lessons/2-reliability/09-idempotency/challenge.ts").Ledger;
const { DedupQueue, chargeOnce } = await loadCandidate<Challenge>(import.meta.url);

test("[C2, C3] example: a second add with a held key is dropped and names the job holding it", () => {
  const queue = new DedupQueue<string>({ clock: new FakeClock() });
  const first = queue.add("sync account 7", "account-7");
  expect(first.added).toBe(true);
  expect(queue.add("sync account 7 again", "account-7")).toEqual({ id: first.id, added: false });
  expect(queue.add("no key", undefined).added, "without a key, always added").toBe(true);
});

test("[C1, C5] example: a finished job frees its key after the cooldown", async () => {
  const clock = new FakeClock();
  const queue = new DedupQueue<string>({ clock, cooldownMs: 1000 });
  queue.add("a", "k");
  queue.complete(queue.take()!.id);
  expect(queue.add("b", "k").added, "still cooling down").toBe(false);
  await clock.advance(1000);
  expect(queue.add("c", "k").added).toBe(true);
});

/** A ledger in memory: a transaction's writes are kept only when it returns. */
function memoryLedger() {
  const keys = new Set<string>();
  const charges: Array<[string, number]> = [];
  const ledger: Ledger = {
    transaction(fn) {
      const newKeys: string[] = [];
      const newCharges: Array<[string, number]> = [];
      const result = fn({
        hasKey: (key) => keys.has(key) || newKeys.includes(key),
        recordKey: (key) => void newKeys.push(key),
        charge: (account, amount) => void newCharges.push([account, amount]),
      });
      newKeys.forEach((key) => keys.add(key));
      charges.push(...newCharges);
      return result;
    },
  };
  return { ledger, charges };
}

test("[C9] example: the same payment delivered twice is charged once", () => {
  const { ledger, charges } = memoryLedger();
  const payment = { paymentId: "pay_1", account: "acct_9", amountCents: 1999 };
  expect(chargeOnce(ledger, payment)).toBe("charged");
  expect(chargeOnce(ledger, payment)).toBe("duplicate");
  expect(charges).toEqual([["acct_9", 1999]]);
});
