// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe } from "vitest";
import { FakeClock, flushMicrotasks } from "#kit/clock.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/2-reliability/08-dead-letter/challenge.ts");
type AuditEvent = import("../../../../lessons/2-reliability/08-dead-letter/challenge.ts").AuditEvent;
const { Queues } = await loadCandidate<Challenge>(import.meta.url);
type QueuesInstance = InstanceType<typeof Queues>;

function setup(audit?: (event: AuditEvent) => Promise<void>) {
  const clock = new FakeClock(1_000);
  return { clock, q: new Queues({ clock, audit }) };
}

/** Adds a job to `queue` (whose other waiting jobs must come later) and fails it until the DLQ has it. */
async function kill(q: QueuesInstance, clock: FakeClock, queue: string, data: unknown, maxAttempts = 2): Promise<string> {
  const job = q.add(queue, data, { maxAttempts });
  for (let i = 1; i <= maxAttempts; i++) {
    const taken = q.take(queue);
    expect(taken?.id, `take("${queue}") should return the job that was just added (try ${i})`).toBe(job.id);
    await clock.advance(10);
    q.fail(job.id, new Error(`${queue} failure ${i}`));
  }
  expect(q.get(job.id)?.state, `after ${maxAttempts} failed tries of ${maxAttempts} the job must be "dead"`).toBe("dead");
  return job.id;
}

/** Awaits a promise, but fails the test instead of hanging when it never settles. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within 500 ms`)), 500);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("dead-lettering", () => {
  test("[C4][C5][C8] jobs are taken oldest first, and a failed try goes to the back of the line, behind jobs already waiting", () => {
    const { q } = setup();
    expect(q.take("never-used"), "take() on a queue that never had a job returns null").toBeNull();
    const a = q.add("work", "A");
    const b = q.add("work", "B");
    const c = q.add("work", "C");
    expect(q.get(a.id), "add() creates a waiting job with attempts 0 and maxAttempts 3 by default").toMatchObject({ state: "waiting", attempts: 0, maxAttempts: 3, queue: "work", data: "A" });
    expect(new Set([a.id, b.id, c.id]).size, "every job gets its own id").toBe(3);
    expect(q.take("work"), "take() returns the oldest waiting job, now active with attempts 1").toMatchObject({ id: a.id, state: "active", attempts: 1 });
    expect(q.fail(a.id, new Error("flaky")), "the first failure of maxAttempts 3 is a retry").toBe("retry");
    expect(q.waiting("work").map((j) => j.data), "a failed job waits behind the jobs already waiting (B, C), not in front of them").toEqual(["B", "C", "A"]);
    expect(q.take("work")?.id, "B was waiting before A's retry, so B runs next").toBe(b.id);
    const d = q.add("work", "D");
    q.fail(b.id, "flaky too");
    expect(q.waiting("work").map((j) => j.id), "waiting order is the order jobs (re-)entered the waiting state").toEqual([c.id, a.id, d.id, b.id]);
    expect([q.take("work")?.id, q.take("work")?.id, q.take("work")?.id, q.take("work")?.id, q.take("work")], "take() follows that order, then returns null").toEqual([c.id, a.id, d.id, b.id, null]);
  });

  test("[C3][C10][C11][C16] queue names and ids such as \"constructor\", \"__proto__\", \"toString\" and \"\" are ordinary strings", async () => {
    const names = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", ""];
    const { clock, q } = setup();
    for (const name of names) {
      expect(q.take(name), `take(${JSON.stringify(name)}) on a queue that never had a job returns null`).toBeNull();
      expect(q.waiting(name), `waiting(${JSON.stringify(name)}) on a queue that never had a job is []`).toEqual([]);
      expect(q.get(name), `get(${JSON.stringify(name)}): no job has that id, so undefined`).toBeUndefined();
      expect(await within(q.retry(name), `retry(${JSON.stringify(name)})`), `retry(${JSON.stringify(name)}): no DLQ entry has that id, so null`).toBeNull();
      expect(q.deadLetters({ queue: name }), `deadLetters({ queue: ${JSON.stringify(name)} }) with no dead letters`).toEqual({ total: 0, items: [] });
    }
    const ids = new Map<string, string>();
    for (const name of names) ids.set(name, await kill(q, clock, name, { from: name }, 1));
    for (const name of names) {
      const page = q.deadLetters({ queue: name });
      expect(page.items.map((d) => [d.id, d.queue]), `the DLQ filtered by queue ${JSON.stringify(name)} lists that queue's dead letter only`).toEqual([[ids.get(name), name]]);
      expect(page.total, `one dead letter from queue ${JSON.stringify(name)}`).toBe(1);
    }
    expect(q.deadLetters().total, `${names.length} queues, one dead letter each`).toBe(names.length);
    for (const name of names) {
      const back = await within(q.retry(ids.get(name)!), `retry of the dead letter from queue ${JSON.stringify(name)}`);
      expect(back?.queue, `the job from queue ${JSON.stringify(name)} goes back to queue ${JSON.stringify(name)}`).toBe(name);
      expect(q.waiting(name).map((j) => j.id), `queue ${JSON.stringify(name)} now holds its retried job`).toEqual([ids.get(name)]);
    }
  });

  test("[C1][C2][C3] falsy data is kept as given and non-Error failures are recorded with String(error)", async () => {
    const { clock, q } = setup();
    const cases: Array<[unknown, unknown, string]> = [
      [0, undefined, "undefined"],
      ["", null, "null"],
      [null, 0, "0"],
      [undefined, "", ""],
      [false, new Error(""), ""],
      [Number.NaN, new TypeError("bad input"), "bad input"],
    ];
    for (const [data, error, message] of cases) {
      const job = q.add("falsy", data, { maxAttempts: 1 });
      q.take("falsy");
      await clock.advance(5);
      expect(q.fail(job.id, error), `fail() with ${String(error)} as the error still dead-letters the job`).toBe("dead");
      const entry = q.deadLetters().items.find((d) => d.id === job.id);
      expect(entry, `the job with data ${String(data)} must be in the DLQ`).toBeDefined();
      expect(Object.is(entry!.data, data), `the dead letter keeps the job's data exactly (${String(data)}), got ${String(entry!.data)}`).toBe(true);
      expect(entry!.reason, `the reason for a failure with ${typeof error === "string" ? JSON.stringify(error) : String(error)} is ${JSON.stringify(message)} (error.message for an Error, String(error) otherwise)`).toBe(message);
      expect(entry!.errors, "the error record has the try number, the same message and the time").toEqual([{ attempt: 1, message, at: clock.now() }]);
    }
  });

  test("[C1][C2][C9] a job that fails its last try moves to the DLQ with its reason and the error of every try", async () => {
    const { clock, q } = setup();
    const job = q.add("emails", { to: "ada@example.com" }, { maxAttempts: 3 });
    const outcomes: string[] = [];
    const times: number[] = [];
    for (let i = 1; i <= 3; i++) {
      expect(q.take("emails")?.id, `try ${i}: take("emails") should return the job again`).toBe(job.id);
      await clock.advance(100);
      times.push(clock.now());
      outcomes.push(q.fail(job.id, new Error(`SMTP 451 on try ${i}`)));
    }
    expect(outcomes, "with maxAttempts 3, fail() answers retry, retry, then dead").toEqual(["retry", "retry", "dead"]);
    expect(q.get(job.id)?.state, "a dead-lettered job is in state dead").toBe("dead");
    expect(q.waiting("emails"), "a dead job must not wait in its queue any more").toEqual([]);
    const page = q.deadLetters();
    expect(page.total, "the DLQ holds exactly this one job").toBe(1);
    expect(page.items[0], "the dead letter names the job, its source queue, its data, the tries used, the last error and when it died").toMatchObject({
      id: job.id,
      queue: "emails",
      data: { to: "ada@example.com" },
      attempts: 3,
      reason: "SMTP 451 on try 3",
      failedAt: times[2],
    });
    expect(page.items[0]?.errors, "the dead letter keeps one error record per failed try, oldest first, with the try number and time").toEqual([
      { attempt: 1, message: "SMTP 451 on try 1", at: times[0] },
      { attempt: 2, message: "SMTP 451 on try 2", at: times[1] },
      { attempt: 3, message: "SMTP 451 on try 3", at: times[2] },
    ]);
  });

  test("[C6][C7] complete() and fail() throw for a job that is not active (waiting, completed, dead, unknown), and change nothing", () => {
    const { q } = setup();
    const job = q.add("work", { n: 1 }, { maxAttempts: 3 });
    expect(() => q.fail(job.id, new Error("never taken")), "fail() on a job that was never taken (waiting) must throw").toThrow();
    expect(() => q.complete(job.id), "complete() on a waiting job must throw").toThrow();
    q.take("work");
    expect(q.fail(job.id, new Error("first try failed")), "the first failure of an active job is a retry").toBe("retry");
    expect(() => q.fail(job.id, new Error("reported twice")), "a second fail() for the same try (the job is waiting again) must throw, or a duplicate report would enqueue the job twice").toThrow();
    expect(q.waiting("work").map((j) => j.id), "after the rejected duplicate fail() the job waits in its queue exactly once").toEqual([job.id]);
    expect(q.get(job.id)?.errors.length, "the rejected duplicate fail() must not record an error").toBe(1);
    q.take("work");
    q.complete(job.id);
    expect(() => q.fail(job.id, new Error("too late")), "fail() on a completed job must throw").toThrow();
    expect(() => q.complete(job.id), "complete() twice must throw").toThrow();
    expect(() => q.fail("no-such-job", new Error("?")), "fail() on an unknown id must throw").toThrow();
    expect(q.get(job.id)?.state, "the completed job stays completed").toBe("completed");
    expect(q.deadLetters().total, "nothing was dead-lettered").toBe(0);
    const doomed = q.add("work", { n: 2 }, { maxAttempts: 1 });
    q.take("work");
    expect(q.fail(doomed.id, new Error("fatal")), "maxAttempts 1: the first failure is final").toBe("dead");
    expect(() => q.fail(doomed.id, new Error("again")), "fail() on a dead job must throw").toThrow();
    expect(() => q.complete(doomed.id), "complete() on a dead job must throw").toThrow();
    expect(q.get(doomed.id)?.state, "the dead job stays dead").toBe("dead");
    expect(q.deadLetters().items.map((d) => [d.id, d.errors.length, d.reason]), "the rejected calls on a dead job change nothing in its dead letter").toEqual([[doomed.id, 1, "fatal"]]);
    expect(q.waiting("work"), "the rejected calls on a dead job enqueue nothing").toEqual([]);
  });

  test("[C5][C8][C1] a job is tried exactly maxAttempts times before it is dead-lettered", () => {
    for (const maxAttempts of [1, 2, 5]) {
      const { q } = setup();
      const job = q.add("work", { n: maxAttempts }, { maxAttempts });
      let tries = 0;
      while (q.deadLetters().total === 0 && tries < 20) {
        const taken = q.take("work");
        if (!taken) break;
        tries++;
        expect(taken.attempts, `try ${tries}: attempts counts the tries started so far`).toBe(tries);
        q.fail(job.id, "still broken");
      }
      expect(tries, `maxAttempts ${maxAttempts} counts the first try, so the job runs ${maxAttempts} times before the DLQ gets it`).toBe(maxAttempts);
      expect(q.deadLetters().items[0]?.reason, "a thrown string is recorded as the reason as is").toBe("still broken");
    }
  });
});

describe("admin retry", () => {
  test("[C14][C1][C2] a retried job starts over: attempts back to 0 and a full maxAttempts tries again", async () => {
    const { clock, q } = setup();
    const id = await kill(q, clock, "emails", { to: "bob@example.com" }, 3);
    const back = await within(q.retry(id), "retry()");
    expect(back, "retry of a dead-lettered job resolves with the job").not.toBeNull();
    expect(back!.attempts, "retry resets attempts to 0").toBe(0);
    expect(back!.state, "a retried job is waiting again").toBe("waiting");
    const outcomes: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const taken = q.take("emails");
      expect(taken?.attempts, `after the retry, try ${i} must count as attempt ${i}`).toBe(i);
      outcomes.push(q.fail(back!.id, new Error(`second life failure ${i}`)));
    }
    expect(outcomes, "after a retry the job gets maxAttempts (3) tries again before it dies").toEqual(["retry", "retry", "dead"]);
    const entry = q.deadLetters().items[0];
    expect(entry?.reason, "the new dead letter carries the latest error").toBe("second life failure 3");
    expect(entry?.attempts, "the dead letter's attempts are the tries of its last life (maxAttempts 3), not every try since the job was added").toBe(3);
    expect(entry?.errors.slice(-3).map((e) => e.attempt), "error records count tries within the current life: 1, 2, 3 again after a retry").toEqual([1, 2, 3]);
    expect(entry?.errors.slice(-3).map((e) => e.message), "the new dead letter's history ends with the three failures of the second life").toEqual([
      "second life failure 1",
      "second life failure 2",
      "second life failure 3",
    ]);
    const again = await within(q.retry(id), "retry() after the second death");
    expect(again?.id, "a job that died again has a new DLQ entry, so it can be retried again").toBe(id);
  });

  test("[C14] retry puts the job back at the tail of its source queue and nowhere else", async () => {
    const { clock, q } = setup();
    const id = await kill(q, clock, "reports", { report: 7 });
    const other = q.add("reports", { report: 8 });
    const email = q.add("emails", { to: "cy@example.com" });
    const back = await within(q.retry(id), "retry()");
    expect(q.waiting("reports").map((j) => j.id), "the retried job goes to the tail of its source queue, behind the job already waiting there").toEqual([other.id, back!.id]);
    expect(q.waiting("reports").at(-1)?.data, "the retried job keeps its data").toEqual({ report: 7 });
    expect(q.waiting("emails").map((j) => j.id), "other queues are not touched by the retry").toEqual([email.id]);
  });

  test("[C15] retry removes the DLQ entry: it is no longer listed and a second retry resolves null", async () => {
    const { clock, q } = setup();
    const id = await kill(q, clock, "emails", { to: "dee@example.com" });
    const first = await within(q.retry(id), "the first retry()");
    expect(first, "the first retry resolves with the job").not.toBeNull();
    expect(q.deadLetters().total, "after a retry the entry must be gone from the DLQ").toBe(0);
    const second = await within(q.retry(id), "the second retry()");
    expect(second, "a second retry of the same entry (a double click) must resolve null").toBeNull();
    expect(q.waiting("emails").length, "two clicks on Retry must put the job back once, not twice").toBe(1);
  });

  test("[C13][C15] two retries of the same entry at the same time put the job back exactly once", async () => {
    const gates: Array<() => void> = [];
    const events: AuditEvent[] = [];
    const { clock, q } = setup((event) => {
      events.push(event);
      return new Promise<void>((resolve) => gates.push(resolve));
    });
    const id = await kill(q, clock, "emails", { to: "eve@example.com" });
    const a = q.retry(id);
    const b = q.retry(id);
    await flushMicrotasks();
    expect(q.waiting("emails"), "the job must not be back in its queue before the audit write has resolved").toEqual([]);
    expect(events[0], "retry must write the audit record { action, id, queue, at }").toEqual({ action: "retry", id, queue: "emails", at: clock.now() });
    for (let round = 0; round < 5; round++) {
      for (const open of gates.splice(0)) open();
      await flushMicrotasks();
    }
    const results = await within(Promise.all([a, b]), "two concurrent retry() calls");
    expect(results.filter((r) => r !== null).length, "of two concurrent retries exactly one resolves with the job and the other with null: claim the entry before awaiting the audit").toBe(1);
    expect(q.waiting("emails").map((j) => j.id), "the job must be back in its queue exactly once").toEqual([id]);
    expect(q.deadLetters().total, "the entry must be gone from the DLQ").toBe(0);
  });

  test("[C15] concurrent retries of one entry put the job back once also without an audit function, and with three clicks", async () => {
    {
      const { clock, q } = setup();
      const id = await kill(q, clock, "emails", { to: "hal@example.com" });
      const results = await within(Promise.all([q.retry(id), q.retry(id)]), "two concurrent retry() calls without audit");
      expect(results.filter((r) => r !== null).map((r) => r!.id), "without an audit function, of two concurrent retries exactly one resolves with the job").toEqual([id]);
      expect(q.waiting("emails").map((j) => j.id), "the job is back in its queue exactly once").toEqual([id]);
    }
    {
      const gates: Array<() => void> = [];
      const { clock, q } = setup(() => new Promise<void>((resolve) => gates.push(resolve)));
      const id = await kill(q, clock, "emails", { to: "ivy@example.com" });
      const calls = [q.retry(id), q.retry(id), q.retry(id)];
      for (let round = 0; round < 5; round++) {
        await flushMicrotasks();
        for (const open of gates.splice(0)) open();
      }
      const results = await within(Promise.all(calls), "three concurrent retry() calls");
      expect(results.filter((r) => r !== null).length, "of three concurrent retries exactly one resolves with the job").toBe(1);
      expect(q.waiting("emails").map((j) => j.id), "three clicks put the job back exactly once").toEqual([id]);
    }
  });

  test("[C15] retries of different entries do not block each other: a slow audit of one does not hold up another", async () => {
    const gates = new Map<string, () => void>();
    const { clock, q } = setup((event) => new Promise<void>((resolve) => gates.set(event.id, resolve)));
    const first = await kill(q, clock, "emails", { to: "jo@example.com" });
    const second = await kill(q, clock, "emails", { to: "kim@example.com" });
    const a = q.retry(first);
    const b = q.retry(second);
    for (let round = 0; round < 5 && !gates.has(second); round++) await flushMicrotasks();
    expect(gates.has(second), "while the audit of one entry's retry is still pending, the retry of another entry must go ahead and write its own audit record").toBe(true);
    gates.get(second)!();
    const bResult = await within(b, "the retry of the second entry while the first one's audit hangs");
    expect(bResult?.id, "the second entry's retry resolves with its job while the first's audit is still pending").toBe(second);
    expect(q.waiting("emails").map((j) => j.id), "only the second job is back so far").toEqual([second]);
    gates.get(first)!();
    const aResult = await within(a, "the retry of the first entry");
    expect(aResult?.id, "once its audit resolves, the first entry's retry resolves with its job").toBe(first);
    expect(q.waiting("emails").map((j) => j.id), "both jobs are back, in the order they were put back").toEqual([second, first]);
    expect(q.deadLetters().total, "both entries are gone").toBe(0);
  });

  test("[C17][C15] a second click while the first retry's audit fails: the job is put back at most once and a lost entry is never lost", async () => {
    let auditCalls = 0;
    let rejectFirst: ((error: Error) => void) | undefined;
    const { clock, q } = setup(() => {
      auditCalls++;
      if (auditCalls === 1) return new Promise<void>((_, reject) => (rejectFirst = reject));
      return Promise.resolve();
    });
    const id = await kill(q, clock, "emails", { to: "lee@example.com" });
    const first = q.retry(id);
    first.catch(() => {});
    await flushMicrotasks();
    const second = q.retry(id);
    await flushMicrotasks();
    rejectFirst?.(new Error("audit disk full"));
    await expect(within(first, "the first retry()"), "the first retry rejects with its audit's error").rejects.toThrow("audit disk full");
    const secondResult = await within(second, "the second retry()");
    const waitingIds = q.waiting("emails").map((j) => j.id);
    if (secondResult === null) {
      expect(waitingIds, "neither click put the job back (the first's audit failed, the second got null), so nothing waits").toEqual([]);
      expect(q.deadLetters().items.map((d) => d.id), "the failed audit changed nothing: the entry is still listed").toEqual([id]);
      expect(q.get(id), "the job is still dead with its tries used").toMatchObject({ state: "dead", attempts: 2 });
      const third = await within(q.retry(id), "a third retry() once the audit works");
      expect(third?.id, "the entry survived the failed audit, so a later retry puts the job back").toBe(id);
    } else {
      expect(secondResult.id, "the second click resolved with a job: it must be this entry's job").toBe(id);
      expect(waitingIds, "the second click put the job back: it waits exactly once").toEqual([id]);
      expect(q.deadLetters().total, "the entry is gone after the successful retry").toBe(0);
    }
  });

  test("[C17] if the audit write fails, retry rejects with its error and nothing changes", async () => {
    let auditDown = true;
    const { clock, q } = setup(async () => {
      if (auditDown) throw new Error("audit log unavailable");
    });
    const first = await kill(q, clock, "emails", { to: "fay@example.com" });
    await kill(q, clock, "reports", { report: 9 });
    const before = q.deadLetters();
    await expect(within(q.retry(first), "retry() with a failing audit"), "retry must reject with the audit's error").rejects.toThrow("audit log unavailable");
    expect(q.deadLetters(), "after a failed audit the DLQ must list exactly what it listed before, in the same order").toEqual(before);
    expect(q.waiting("emails"), "after a failed audit no job may be put back").toEqual([]);
    expect(q.get(first), "after a failed audit the job is still dead with all its tries used").toMatchObject({ state: "dead", attempts: 2 });
    auditDown = false;
    const back = await within(q.retry(first), "retry() once the audit works again");
    expect(back?.data, "once the audit works again the same entry can be retried").toEqual({ to: "fay@example.com" });
  });

  test("[C17][C12] an entry whose audit fails is listed again by when it died, even if earlier entries were retried and new ones died meanwhile", async () => {
    let rejectB: ((error: Error) => void) | undefined;
    let bId = "";
    const { clock, q } = setup((event) =>
      event.id === bId ? new Promise<void>((_, reject) => (rejectB = reject)) : Promise.resolve(),
    );
    const a = await kill(q, clock, "emails", "A");
    bId = await kill(q, clock, "emails", "B");
    const c = await kill(q, clock, "emails", "C");
    const pendingB = q.retry(bId);
    pendingB.catch(() => {});
    for (let round = 0; round < 5 && !rejectB; round++) await flushMicrotasks();
    expect(rejectB, "retry() of a DLQ entry must call audit() before putting the job back").toBeDefined();
    // While B's audit is pending: A (died before B) is retried successfully, and D dies after C.
    expect((await within(q.retry(a), "the retry of A while B's audit is pending"))?.id, "A's retry goes ahead while B's audit is pending").toBe(a);
    const d = await kill(q, clock, "reports", "D");
    rejectB!(new Error("audit disk full"));
    await expect(within(pendingB, "the retry of B"), "B's retry rejects with its audit's error").rejects.toThrow("audit disk full");
    expect(
      q.deadLetters().items.map((letter) => letter.data),
      "B's audit failed, so B is listed again in its place by the time it died: after A's removal and D's death the list is B (died 2nd), C (3rd), D (4th), not B at its old index",
    ).toEqual(["B", "C", "D"]);
    expect(q.deadLetters().items.map((letter) => letter.id), "the entries keep their jobs' ids").toEqual([bId, c, d]);
  });

  test("[C16] retry of an id without a DLQ entry resolves null and changes nothing", async () => {
    const { q } = setup();
    const waitingJob = q.add("emails", { to: "gus@example.com" });
    expect(await within(q.retry("no-such-job"), "retry(unknown id)"), "an unknown id resolves null").toBeNull();
    expect(await within(q.retry(waitingJob.id), "retry(waiting job)"), "a job that is not dead has no DLQ entry: null").toBeNull();
    expect(q.waiting("emails").map((j) => j.id), "a retry without an entry must not enqueue anything").toEqual([waitingJob.id]);
  });
});

describe("admin list", () => {
  test("[C12] the admin list filters by source queue and pages with offset and limit, oldest dead letter first", async () => {
    const { clock, q } = setup();
    const ids: string[] = [];
    for (const queue of ["a", "b", "a", "b", "a"]) ids.push(await kill(q, clock, queue, { queue }, 1));
    const all = q.deadLetters();
    expect(all.total, "five dead letters in total").toBe(5);
    expect(all.items.map((d) => d.id), "the list is ordered by time of death, oldest first").toEqual(ids);
    const onlyA = q.deadLetters({ queue: "a" });
    expect(onlyA.total, "total counts the dead letters matching the filter (3 from queue a), not the whole DLQ").toBe(3);
    expect(onlyA.items.map((d) => d.id), "filtering by queue keeps the order").toEqual([ids[0], ids[2], ids[4]]);
    const paged: string[] = [];
    for (const offset of [0, 2, 4]) {
      const page = q.deadLetters({ offset, limit: 2 });
      expect(page.total, `page at offset ${offset}: total ignores offset and limit`).toBe(5);
      expect(page.items.length, `page at offset ${offset} with limit 2 holds ${Math.min(2, 5 - offset)} items`).toBe(Math.min(2, 5 - offset));
      paged.push(...page.items.map((d) => d.id));
    }
    expect(paged, "pages of 2 at offsets 0, 2, 4 together list every dead letter once, in order").toEqual(ids);
    expect(q.deadLetters({ queue: "a", offset: 1, limit: 1 }).items.map((d) => d.id), "filter first, then page: the second dead letter of queue a").toEqual([ids[2]]);
  });

  test("[C12] limit 0 returns no item, an offset past the end returns none, and queue \"\" filters for queue \"\"", async () => {
    const { clock, q } = setup();
    const ids: string[] = [];
    for (const queue of ["", "x", "", "x"]) ids.push(await kill(q, clock, queue, { queue }, 1));
    expect(q.deadLetters({ limit: 0 }), "limit 0 is a page of no item (0 is not 'use the default'); total still counts all 4").toEqual({ total: 4, items: [] });
    expect(q.deadLetters({ offset: 0, limit: 1 }).items.map((d) => d.id), "offset 0, limit 1: the oldest dead letter").toEqual([ids[0]]);
    expect(q.deadLetters({ offset: 9 }), "an offset past the end gives an empty page with the right total").toEqual({ total: 4, items: [] });
    const empty = q.deadLetters({ queue: "" });
    expect(empty.items.map((d) => d.id), "queue \"\" is a filter like any other: only the dead letters of queue \"\"").toEqual([ids[0], ids[2]]);
    expect(empty.total, "total counts the 2 dead letters of queue \"\"").toBe(2);
    expect(q.deadLetters({ queue: "x", limit: 0 }), "filtered, limit 0").toEqual({ total: 2, items: [] });
  });

  test("[C12] a job that dies again after a retry is listed by its latest death, after those that died in between", async () => {
    const { clock, q } = setup();
    const x = await kill(q, clock, "jobs", { name: "x" }, 1);
    const y = await kill(q, clock, "jobs", { name: "y" }, 1);
    expect(q.deadLetters().items.map((d) => d.id), "x died before y").toEqual([x, y]);
    await within(q.retry(x), "retry(x)");
    q.take("jobs");
    await clock.advance(10);
    expect(q.fail(x, new Error("x again")), "x fails again (maxAttempts 1)").toBe("dead");
    expect(q.deadLetters().items.map((d) => d.id), "x's new death is the latest: the list is y, then x").toEqual([y, x]);
    expect(q.deadLetters().items[1], "x's new dead letter has the new reason and time").toMatchObject({ reason: "x again", failedAt: clock.now() });
  });

  test("[C12] without a limit the admin list returns the first 50", async () => {
    const { clock, q } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 55; i++) ids.push(await kill(q, clock, "bulk", { i }, 1));
    const page = q.deadLetters();
    expect(page.total, "55 dead letters").toBe(55);
    expect(page.items.map((d) => d.id), "limit defaults to 50: the 50 oldest dead letters").toEqual(ids.slice(0, 50));
    expect(q.deadLetters({ offset: 50 }).items.map((d) => d.id), "offset 50 without a limit returns the remaining 5").toEqual(ids.slice(50));
  });
});
