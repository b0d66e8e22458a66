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
  test("a job that fails its last try moves to the DLQ with its reason and the error of every try", async () => {
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

  test("complete() and fail() throw for a job that is not active, and change nothing", () => {
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
  });

  test("a job is tried exactly maxAttempts times before it is dead-lettered", () => {
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
  test("a retried job starts over: attempts back to 0 and a full maxAttempts tries again", async () => {
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
    expect(entry?.errors.slice(-3).map((e) => e.message), "the new dead letter's history ends with the three failures of the second life").toEqual([
      "second life failure 1",
      "second life failure 2",
      "second life failure 3",
    ]);
    const again = await within(q.retry(id), "retry() after the second death");
    expect(again?.id, "a job that died again has a new DLQ entry, so it can be retried again").toBe(id);
  });

  test("retry puts the job back at the tail of its source queue and nowhere else", async () => {
    const { clock, q } = setup();
    const id = await kill(q, clock, "reports", { report: 7 });
    const other = q.add("reports", { report: 8 });
    const email = q.add("emails", { to: "cy@example.com" });
    const back = await within(q.retry(id), "retry()");
    expect(q.waiting("reports").map((j) => j.id), "the retried job goes to the tail of its source queue, behind the job already waiting there").toEqual([other.id, back!.id]);
    expect(q.waiting("reports").at(-1)?.data, "the retried job keeps its data").toEqual({ report: 7 });
    expect(q.waiting("emails").map((j) => j.id), "other queues are not touched by the retry").toEqual([email.id]);
  });

  test("retry removes the DLQ entry: it is no longer listed and a second retry resolves null", async () => {
    const { clock, q } = setup();
    const id = await kill(q, clock, "emails", { to: "dee@example.com" });
    const first = await within(q.retry(id), "the first retry()");
    expect(first, "the first retry resolves with the job").not.toBeNull();
    expect(q.deadLetters().total, "after a retry the entry must be gone from the DLQ").toBe(0);
    const second = await within(q.retry(id), "the second retry()");
    expect(second, "a second retry of the same entry (a double click) must resolve null").toBeNull();
    expect(q.waiting("emails").length, "two clicks on Retry must put the job back once, not twice").toBe(1);
  });

  test("two retries of the same entry at the same time put the job back exactly once", async () => {
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

  test("if the audit write fails, retry rejects with its error and nothing changes", async () => {
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
    auditDown = false;
    const back = await within(q.retry(first), "retry() once the audit works again");
    expect(back?.data, "once the audit works again the same entry can be retried").toEqual({ to: "fay@example.com" });
  });

  test("retry of an id without a DLQ entry resolves null and changes nothing", async () => {
    const { q } = setup();
    const waitingJob = q.add("emails", { to: "gus@example.com" });
    expect(await within(q.retry("no-such-job"), "retry(unknown id)"), "an unknown id resolves null").toBeNull();
    expect(await within(q.retry(waitingJob.id), "retry(waiting job)"), "a job that is not dead has no DLQ entry: null").toBeNull();
    expect(q.waiting("emails").map((j) => j.id), "a retry without an entry must not enqueue anything").toEqual([waitingJob.id]);
  });
});

describe("admin list", () => {
  test("the admin list filters by source queue and pages with offset and limit, oldest dead letter first", async () => {
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

  test("without a limit the admin list returns the first 50", async () => {
    const { clock, q } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 55; i++) ids.push(await kill(q, clock, "bulk", { i }, 1));
    const page = q.deadLetters();
    expect(page.total, "55 dead letters").toBe(55);
    expect(page.items.map((d) => d.id), "limit defaults to 50: the 50 oldest dead letters").toEqual(ids.slice(0, 50));
    expect(q.deadLetters({ offset: 50 }).items.map((d) => d.id), "offset 50 without a limit returns the remaining 5").toEqual(ids.slice(50));
  });
});
