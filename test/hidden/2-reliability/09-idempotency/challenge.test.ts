// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { FakeClock } from "#kit/clock.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/2-reliability/09-idempotency/challenge.ts");
type Ledger = import("../../../../lessons/2-reliability/09-idempotency/challenge.ts").Ledger;
type LedgerTx = import("../../../../lessons/2-reliability/09-idempotency/challenge.ts").LedgerTx;
type ChargeJobData = import("../../../../lessons/2-reliability/09-idempotency/challenge.ts").ChargeJobData;
const { DedupQueue, chargeOnce } = await loadCandidate<Challenge>(import.meta.url);
type Queue<T> = InstanceType<typeof DedupQueue<T>>;

const unfinished = (state: string) => state === "waiting" || state === "active";

/** The simulated process death: thrown by the fake ledger, caught by the fake worker. */
class Crash extends Error {}

type CrashPlan = "none" | "before-commit" | "after-commit";

/** The card network refusing a charge for now: thrown by the fake ledger's charge(). */
class ChargeFailed extends Error {}

/** A payments ledger whose transactions are all-or-nothing, and which crashes on demand. */
function fakeLedger() {
  const chargesByAccount = new Map<string, number>();
  const centsByAccount = new Map<string, number>();
  const keys = new Set<string>();
  const state = {
    next: "none" as CrashPlan,
    commits: 0,
    crashAfterCommits: new Set<number>(),
    /** How many of the next charge() calls throw ChargeFailed. */
    failCharges: 0,
    /** Another worker's whole delivery, run once right after the commit with this number. */
    interleave: undefined as { afterCommit: number; run: () => void } | undefined,
  };
  const ledger: Ledger = {
    transaction<R>(fn: (tx: LedgerTx) => R): R {
      const plan = state.next;
      state.next = "none";
      const staged = { keys: new Set<string>(), charges: [] as Array<[string, number]> };
      const tx: LedgerTx = {
        hasKey: (key) => keys.has(key) || staged.keys.has(key),
        recordKey: (key) => void staged.keys.add(key),
        charge: (account, amountCents) => {
          if (state.failCharges > 0) {
            state.failCharges -= 1;
            throw new ChargeFailed("the card network refused the charge, try again later");
          }
          staged.charges.push([account, amountCents]);
        },
      };
      const result = fn(tx);
      if (plan === "before-commit") throw new Crash("the worker died before the commit");
      for (const key of staged.keys) keys.add(key);
      for (const [account, cents] of staged.charges) {
        chargesByAccount.set(account, (chargesByAccount.get(account) ?? 0) + 1);
        centsByAccount.set(account, (centsByAccount.get(account) ?? 0) + cents);
      }
      state.commits += 1;
      const other = state.interleave;
      if (other && other.afterCommit === state.commits) {
        state.interleave = undefined;
        other.run();
      }
      if (plan === "after-commit" || state.crashAfterCommits.has(state.commits)) throw new Crash("the worker died right after the commit");
      return result;
    },
  };
  return {
    ledger,
    state,
    charges: (account: string) => chargesByAccount.get(account) ?? 0,
    cents: (account: string) => centsByAccount.get(account) ?? 0,
  };
}

/** One delivery by a worker: take, handle, complete; a crash leaves the job for redelivery. */
function deliverOne(queue: Queue<ChargeJobData>, ledger: Ledger): boolean {
  const job = queue.take();
  if (!job) return false;
  try {
    chargeOnce(ledger, job.data);
    queue.complete(job.id);
  } catch (error) {
    if (!(error instanceof Crash)) throw error;
    queue.abandon(job.id);
  }
  return true;
}

function drain(queue: Queue<ChargeJobData>, ledger: Ledger) {
  for (let step = 0; step < 100 && deliverOne(queue, ledger); step++);
}

const payment = (n: number): ChargeJobData => ({ paymentId: `pay-${n}`, account: `acct-${n}`, amountCents: 100 * n });

describe("dedup keys in the queue", () => {
  test("[C2][C3] a duplicate add while the first job waits is dropped and returns the first job's id", () => {
    const queue = new DedupQueue<string>({ clock: new FakeClock() });
    const first = queue.add("resize photo 1", "photo-1");
    expect(first.added, "the first add of a key creates a job").toBe(true);
    const again = queue.add("resize photo 1 (again)", "photo-1");
    expect(again, "a second add with the same key while the job waits must be dropped and name the waiting job").toEqual({ id: first.id, added: false });
    expect(queue.add("resize photo 2", "photo-2").added, "another key is not a duplicate").toBe(true);
    expect(queue.add("no key").added && queue.add("no key").added, "jobs without a key are never deduplicated").toBe(true);
    expect(queue.jobs().filter((j) => j.key === "photo-1").length, "only one job exists for key photo-1").toBe(1);
  });

  test("[C1][C2] a duplicate add while the first job is active is dropped too", () => {
    const queue = new DedupQueue<string>({ clock: new FakeClock() });
    const first = queue.add("rebuild search index", "reindex");
    expect(queue.take()?.id, "take() hands out the job").toBe(first.id);
    const again = queue.add("rebuild search index", "reindex");
    expect(again, "a job that is running still holds its key: a duplicate added now must be dropped").toEqual({ id: first.id, added: false });
    expect(queue.take(), "nothing else may be waiting").toBeNull();
  });

  test("[C1][C2][C3] keys such as \"\", \"constructor\", \"__proto__\" and \"toString\" are ordinary keys", () => {
    const keys = ["", "constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];
    const queue = new DedupQueue<string>({ clock: new FakeClock() });
    const firsts = new Map<string, string>();
    for (const key of keys) {
      const first = queue.add(`first ${key}`, key);
      if (first.added !== true || typeof first.id !== "string") {
        expect(first, `the first add with key ${JSON.stringify(key)} must create a job: nothing holds that key yet`).toMatchObject({ added: true });
      }
      firsts.set(key, first.id);
    }
    expect(new Set(firsts.values()).size, "each key's first add creates its own job").toBe(keys.length);
    for (const key of keys) {
      expect(queue.add(`again ${key}`, key), `key ${JSON.stringify(key)} is held by its waiting job: the duplicate must be dropped and name it`).toEqual({ id: firsts.get(key), added: false });
    }
    for (const key of keys) {
      const job = queue.take();
      expect(job?.key, `take() hands out the jobs in add order; the job for key ${JSON.stringify(key)} keeps its key`).toBe(key);
      queue.complete(job!.id);
      expect(queue.add(`later ${key}`, key).added, `after the job with key ${JSON.stringify(key)} completed (no cooldown), the key is free again`).toBe(true);
    }
  });

  test("[C2] the key is held by the latest job added with it: a duplicate names that job, not an older finished one", async () => {
    const clock = new FakeClock();
    const queue = new DedupQueue<string>({ clock });
    const first = queue.add("export v1", "export");
    queue.take();
    queue.complete(first.id);
    const second = queue.add("export v2", "export");
    expect(second.added, "the first job finished, so the key is free").toBe(true);
    expect(queue.add("export v2 (double click)", "export"), "the second job waits and holds the key: the duplicate is dropped and names the second job").toEqual({ id: second.id, added: false });
    queue.take();
    expect(queue.add("export v2 (while running)", "export"), "the second job is active and still holds the key").toEqual({ id: second.id, added: false });
    queue.fail(second.id);
    const third = queue.add("export v3", "export");
    expect(third.added, "the second job failed for good, so the key is free again").toBe(true);
    expect(queue.add("export v3 (double click)", "export"), "now the third job holds the key").toEqual({ id: third.id, added: false });
    expect(queue.jobs().filter((j) => j.key === "export" && unfinished(j.state)).length, "at most one unfinished job per key").toBe(1);
  });

  test("[C1][C5][C6] once the job completes, or fails for good, its key can be used again", () => {
    const queue = new DedupQueue<string>({ clock: new FakeClock() });
    const first = queue.add("nightly report", "report");
    queue.take();
    queue.complete(first.id);
    const second = queue.add("nightly report", "report");
    expect(second.added, "after the job completed the key must be free again (no cooldown configured)").toBe(true);
    expect(second.id, "the new add creates a new job").not.toBe(first.id);
    queue.take();
    queue.fail(second.id);
    expect(queue.add("nightly report", "report").added, "a job that failed for good is finished too: its key must be free again").toBe(true);
  });

  test("[C1][C6] with cooldownMs the key stays blocked that long after the job finished, counted from the finish", async () => {
    const clock = new FakeClock();
    const queue = new DedupQueue<string>({ clock, cooldownMs: 1_000 });
    const first = queue.add("sync account", "sync");
    queue.take();
    await clock.advance(5_000); // a long-running job
    queue.complete(first.id);
    await clock.advance(999);
    expect(queue.add("sync account", "sync"), "finished at t=5000 with a 1000 ms cooldown: at t=5999 the key is still held (count from the finish, not from the add)").toEqual({ id: first.id, added: false });
    await clock.advance(1);
    const second = queue.add("sync account", "sync");
    expect(second.added, "at t=6000 the cooldown is over and the key is free").toBe(true);
    queue.take();
    queue.fail(second.id);
    await clock.advance(999);
    expect(queue.add("sync account", "sync"), "a job that failed for good cools down too: failed at t=6000, the key is held until t=7000").toEqual({ id: second.id, added: false });
    await clock.advance(1);
    expect(queue.add("sync account", "sync").added, "at t=7000 the key is free again").toBe(true);
  });

  test("[C1] a job that finishes at clock time 0 cools down like any other: f = 0 is a finish time", async () => {
    const clock = new FakeClock(); // t = 0
    const queue = new DedupQueue<string>({ clock, cooldownMs: 100 });
    for (const finish of ["complete", "fail"] as const) {
      const key = `boot ${finish}`;
      const first = queue.add("warm cache", key);
      queue.take();
      queue[finish](first.id);
      expect(
        queue.add("warm cache again", key),
        `${finish}() at t=0 with a 100 ms cooldown: the key is held until t=100 (finishedAt 0 is a time, not "unfinished"; test it with !== undefined, not truthiness)`,
      ).toEqual({ id: first.id, added: false });
    }
    await clock.advance(99);
    expect(queue.add("warm cache again", "boot complete"), "finished at t=0, cooldown 100: at t=99 the key is still held").toEqual({ id: queue.jobs()[0]!.id, added: false });
    await clock.advance(1);
    expect(queue.add("warm cache again", "boot complete").added, "at t=100 the cooldown is over and the key is free").toBe(true);
    expect(queue.add("warm cache again", "boot fail").added, "at t=100 the cooldown of the failed job is over too").toBe(true);
  });

  test("[C5][C6][C7] complete(), fail() and abandon() throw for a job that is not active, and change nothing", async () => {
    const clock = new FakeClock();
    const queue = new DedupQueue<string>({ clock, cooldownMs: 0 });
    const waiting = queue.add("waiting job", "w");
    for (const op of ["complete", "fail", "abandon"] as const) {
      expect(() => queue[op](waiting.id), `${op}() on a waiting job (never taken) must throw`).toThrow();
      expect(() => queue[op]("no-such-job"), `${op}() on an unknown id must throw`).toThrow();
    }
    expect(queue.add("waiting job again", "w"), "after the rejected calls the waiting job still holds its key").toEqual({ id: waiting.id, added: false });
    expect(queue.jobs().map((j) => [j.id, j.state, j.finishedAt]), "the rejected calls left the waiting job as it was").toEqual([[waiting.id, "waiting", undefined]]);
    const taken = queue.take();
    expect(taken?.id, "the waiting job is delivered").toBe(waiting.id);
    expect(queue.take(), "it was queued once, so a second take() finds nothing (a rejected abandon() must not queue it again)").toBeNull();
    await clock.advance(10);
    queue.complete(waiting.id);
    for (const op of ["complete", "fail", "abandon"] as const) {
      expect(() => queue[op](waiting.id), `${op}() on a completed job must throw`).toThrow();
    }
    expect(queue.jobs().map((j) => [j.state, j.finishedAt]), "the completed job stays completed, finished at t = 10").toEqual([["completed", 10]]);
    expect(queue.take(), "nothing was queued again").toBeNull();
  });

  test("[C4][C7] take() hands out the oldest waiting job, and an abandoned job goes to the back of the line", () => {
    const queue = new DedupQueue<string>({ clock: new FakeClock() });
    const a = queue.add("a", "key-a");
    const b = queue.add("b");
    const c = queue.add("c", "key-c");
    expect(queue.take()?.id, "the first take() returns the job added first").toBe(a.id);
    queue.abandon(a.id);
    expect([queue.take()?.id, queue.take()?.id, queue.take()?.id], "after job a crashed it waits behind b and c: take() returns b, c, then a again").toEqual([b.id, c.id, a.id]);
    expect(queue.take(), "no job is left waiting").toBeNull();
  });

  test("[C8][C3][C5][C6] jobs() lists every job ever added, in add order, with its state, deliveries and times", async () => {
    const clock = new FakeClock();
    const queue = new DedupQueue<string>({ clock });
    const done = queue.add("done", "k1");
    await clock.advance(50);
    const failed = queue.add("failed", "k2");
    const waiting = queue.add("waiting");
    queue.take();
    await clock.advance(100);
    queue.complete(done.id);
    queue.take();
    queue.abandon(failed.id);
    queue.take();
    queue.take();
    await clock.advance(25);
    queue.fail(failed.id);
    const jobs = queue.jobs();
    expect(jobs.map((j) => j.id), "finished jobs stay listed, in the order they were added").toEqual([done.id, failed.id, waiting.id]);
    expect(jobs.map((j) => ({ state: j.state, deliveries: j.deliveries, addedAt: j.addedAt, finishedAt: j.finishedAt })), "state, deliveries, addedAt (clock at add) and finishedAt (clock at complete/fail, undefined while unfinished)").toEqual([
      { state: "completed", deliveries: 1, addedAt: 0, finishedAt: 150 },
      { state: "failed", deliveries: 2, addedAt: 50, finishedAt: 175 },
      { state: "active", deliveries: 1, addedAt: 50, finishedAt: undefined },
    ]);
  });

  test("[C7][C1] a crashed delivery goes back to the queue still holding its key, and is delivered again", () => {
    const queue = new DedupQueue<string>({ clock: new FakeClock() });
    const first = queue.add("send welcome email", "welcome-42");
    queue.take();
    queue.abandon(first.id);
    expect(queue.jobs().find((j) => j.id === first.id)?.state, "an abandoned job is waiting again").toBe("waiting");
    expect(queue.add("send welcome email", "welcome-42"), "the abandoned job is unfinished: a duplicate must still be dropped").toEqual({ id: first.id, added: false });
    const redelivered = queue.take();
    expect(redelivered?.id, "the same job is delivered again").toBe(first.id);
    expect(redelivered?.deliveries, "it has now been delivered twice").toBe(2);
  });

  test("[C1][C2][C3][C4][C5][C7] whatever the order of adds, deliveries, completions, failures, crashes and time, an add is dropped exactly when its key is held, so no key ever has two unfinished jobs", async () => {
    type Op = { op: "add"; key: string | undefined } | { op: "take" | "complete" | "fail" | "abandon" } | { op: "advance"; ms: number };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant("add" as const), key: fc.constantFrom("a", "b", "", "constructor", undefined) }),
      fc.record({ op: fc.constantFrom("take" as const, "complete" as const, "fail" as const, "abandon" as const) }),
      fc.record({ op: fc.constant("advance" as const), ms: fc.constantFrom(1, 5, 10) }),
    );
    const check = async (cooldownMs: number, ops: Op[]) => {
      const clock = new FakeClock();
      const queue = new DedupQueue<number>({ clock, cooldownMs });
      const model = new Map<string, { key: string | undefined; state: string; finishedAt?: number }>();
      const latest = new Map<string, string>();
      const active: string[] = [];
      let now = 0;
      const holds = (id: string | undefined) => {
        const job = id === undefined ? undefined : model.get(id);
        return job !== undefined && (unfinished(job.state) || now < job.finishedAt! + cooldownMs);
      };
      for (const [i, step] of ops.entries()) {
        const where = `cooldownMs ${cooldownMs}, step ${i} (t=${now}) of ${ops.map((o) => (o.op === "add" ? `add(${JSON.stringify(o.key)})` : o.op === "advance" ? `+${o.ms}ms` : o.op)).join(", ")}`;
        if (step.op === "advance") {
          await clock.advance(step.ms);
          now += step.ms;
          continue;
        }
        if (step.op === "add") {
          const holder = step.key === undefined ? undefined : latest.get(step.key);
          const result = queue.add(i, step.key);
          // Each check calls expect() only on a mismatch: in this loop it would cost more than the queue.
          if (holder !== undefined && holds(holder)) {
            if (result?.id !== holder || result.added !== false || Object.keys(result).length !== 2) {
              expect(result, `${where}: key ${JSON.stringify(step.key)} is held by job ${holder} (${model.get(holder)!.state}); the add must be dropped and name it`).toEqual({ id: holder, added: false });
            }
          } else {
            if (result.added !== true) expect(result.added, `${where}: key ${JSON.stringify(step.key)} is not held, so the add must create a job`).toBe(true);
            model.set(result.id, { key: step.key, state: "waiting" });
            if (step.key !== undefined) latest.set(step.key, result.id);
          }
        } else if (step.op === "take") {
          const job = queue.take();
          const anyWaiting = [...model.values()].some((j) => j.state === "waiting");
          if ((job !== null) !== anyWaiting) expect(job !== null, `${where}: take() must return a job exactly when one is waiting`).toBe(anyWaiting);
          if (job) {
            model.get(job.id)!.state = "active";
            active.push(job.id);
          }
        } else {
          const id = active.shift();
          if (id === undefined) continue;
          queue[step.op](id);
          const job = model.get(id)!;
          job.state = step.op === "complete" ? "completed" : step.op === "fail" ? "failed" : "waiting";
          if (step.op !== "abandon") job.finishedAt = now;
        }
        const perKey = new Map<string, number>();
        for (const job of queue.jobs()) if (job.key !== undefined && unfinished(job.state)) perKey.set(job.key, (perKey.get(job.key) ?? 0) + 1);
        for (const [key, count] of perKey) if (count > 1) expect(count, `${where}: key ${JSON.stringify(key)} has ${count} unfinished jobs; at most one is allowed`).toBeLessThanOrEqual(1);
      }
    };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 10), fc.array(opArb, { maxLength: 40 }), check),
      { numRuns: 150 },
    );
  });
});

describe("an idempotent handler", () => {
  test("[C9] chargeOnce charges a payment the first time, by its amount, and reports a duplicate after that", () => {
    const { ledger, charges, cents } = fakeLedger();
    expect(chargeOnce(ledger, payment(1)), "the first delivery of a payment charges it").toBe("charged");
    expect(chargeOnce(ledger, payment(1)), "a second delivery of the same payment must not charge it again").toBe("duplicate");
    expect(charges("acct-1"), "one charge for one payment").toBe(1);
    expect(cents("acct-1"), "the charge is for the payment's amountCents (100) on its account").toBe(100);
  });

  test("[C9] the idempotency key is the payment: two payments of the same amount on one account are both charged", () => {
    const { ledger, charges } = fakeLedger();
    const first = { paymentId: "pay-a", account: "acct-1", amountCents: 500 };
    const second = { paymentId: "pay-b", account: "acct-1", amountCents: 500 };
    expect(chargeOnce(ledger, first), "payment pay-a is new").toBe("charged");
    expect(chargeOnce(ledger, second), "payment pay-b is a different payment, even with the same account and amount: key by paymentId").toBe("charged");
    expect(chargeOnce(ledger, second), "pay-b delivered again is a duplicate").toBe("duplicate");
    expect(charges("acct-1"), "two payments, two charges").toBe(2);
  });

  test("[C12] chargeOnce lets a ledger failure propagate instead of hiding it", () => {
    for (const plan of ["before-commit", "after-commit"] as const) {
      const { ledger, state } = fakeLedger();
      state.next = plan;
      expect(() => chargeOnce(ledger, payment(5)), `a ledger that fails ${plan === "before-commit" ? "before" : "right after"} its commit: chargeOnce must throw that error so the job is not acknowledged (no try/catch around the transaction)`).toThrow(Crash);
    }
    const { ledger, state } = fakeLedger();
    state.failCharges = 1;
    expect(() => chargeOnce(ledger, payment(6)), "when charge() itself throws, chargeOnce must throw that error so the job is retried, not acknowledged").toThrow(ChargeFailed);
  });

  test("[C12] a failed first attempt (charge() throws) records nothing: the next delivery charges the payment once", () => {
    for (const failures of [1, 2]) {
      const { ledger, state, charges, cents } = fakeLedger();
      state.failCharges = failures;
      for (let i = 1; i <= failures; i++) {
        let thrown: unknown;
        try {
          chargeOnce(ledger, payment(4));
        } catch (error) {
          thrown = error;
        }
        expect(thrown, `attempt ${i}: charge() threw, so chargeOnce must throw (the job will be retried)`).toBeInstanceOf(ChargeFailed);
        expect(charges("acct-4"), `attempt ${i} failed: nothing may be charged yet`).toBe(0);
      }
      expect(chargeOnce(ledger, payment(4)), `after ${failures} failed attempt(s) the payment was never charged, so the next delivery must charge it (a failed attempt must not leave its idempotency key behind)`).toBe("charged");
      expect(chargeOnce(ledger, payment(4)), "once charged, a further delivery is a duplicate").toBe("duplicate");
      expect([charges("acct-4"), cents("acct-4")], "exactly one charge of 400 cents").toEqual([1, 400]);
    }
  });

  test("[C11] another worker delivering the same payment between any two of your transactions: charged exactly once", () => {
    for (const afterCommit of [1, 2, 3]) {
      const { ledger, state, charges, cents } = fakeLedger();
      const results: string[] = [];
      state.interleave = { afterCommit, run: () => void results.push(`other worker: ${chargeOnce(ledger, payment(9))}`) };
      results.push(`this worker: ${chargeOnce(ledger, payment(9))}`);
      const ran = state.interleave === undefined;
      const why = ran
        ? `a second worker delivered the same payment right after commit #${afterCommit} of the first delivery (${results.join(", ")})`
        : "one delivery";
      expect(charges("acct-9"), `${why}: the payment must be charged exactly once; check the key, charge and record the key in ONE transaction`).toBe(1);
      expect(cents("acct-9"), `${why}: the account is charged its 900 cents once`).toBe(900);
      expect(results.filter((r) => r.endsWith(": charged")).length, `${why}: exactly one delivery reports "charged", the other "duplicate"`).toBe(1);
    }
  });

  test("[C10] a crash right after any commit, or before one, never charges a payment twice nor leaves it uncharged", () => {
    for (const crashAfterCommit of [1, 2, 3]) {
      const { ledger, state, charges } = fakeLedger();
      state.crashAfterCommits.add(crashAfterCommit);
      const queue = new DedupQueue<ChargeJobData>({ clock: new FakeClock() });
      queue.add(payment(7), "pay-7");
      drain(queue, ledger);
      expect(charges("acct-7"), `worker died right after commit #${crashAfterCommit}, the job was redelivered: the payment must be charged exactly once (record the key in the same transaction as the charge)`).toBe(1);
    }
    const { ledger, state, charges } = fakeLedger();
    state.next = "before-commit";
    const queue = new DedupQueue<ChargeJobData>({ clock: new FakeClock() });
    queue.add(payment(8), "pay-8");
    drain(queue, ledger);
    expect(charges("acct-8"), "a transaction rolled back by a crash commits nothing; the redelivery must charge exactly once").toBe(1);
  });

  test("[C10] duplicate enqueues, crashes at any point and late duplicates after completion charge every payment exactly once", () => {
    type Op = { op: "add"; n: number } | { op: "deliver"; crash: CrashPlan };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant("add" as const), n: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ op: fc.constant("deliver" as const), crash: fc.constantFrom<CrashPlan>("none", "none", "before-commit", "after-commit") }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), (ops) => {
        const { ledger, state, charges } = fakeLedger();
        const queue = new DedupQueue<ChargeJobData>({ clock: new FakeClock() });
        const added = new Set<number>();
        for (const step of ops) {
          if (step.op === "add") {
            queue.add(payment(step.n), `pay-${step.n}`);
            added.add(step.n);
          } else {
            state.next = step.crash;
            deliverOne(queue, ledger);
            state.next = "none";
          }
        }
        drain(queue, ledger);
        for (const n of [1, 2, 3]) {
          expect(charges(`acct-${n}`), `${ops.map((o) => (o.op === "add" ? `add pay-${o.n}` : `deliver(${o.crash})`)).join(", ")}: payment ${n} was ${added.has(n) ? "added" : "never added"}, so it must be charged ${added.has(n) ? "exactly once" : "never"}`).toBe(added.has(n) ? 1 : 0);
        }
      }),
      { numRuns: 150 },
    );
  });
});
