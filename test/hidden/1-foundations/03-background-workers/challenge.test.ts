// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { FakeClock, flushMicrotasks } from "#kit/clock.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/1-foundations/03-background-workers/challenge.ts");
type Handler = import("../../../../lessons/1-foundations/03-background-workers/challenge.ts").Handler;
type QueueStats = import("../../../../lessons/1-foundations/03-background-workers/challenge.ts").QueueStats;
type JobQueueT = InstanceType<Challenge["JobQueue"]>;

const { JobQueue, Worker } = await loadCandidate<Challenge>(import.meta.url);

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Waits for `pending`, moving the fake clock from timer to timer. Fails (never
 * hangs) if it rejects or cannot settle.
 */
async function settle<T>(clock: FakeClock, pending: Promise<T>, what: string): Promise<T> {
  let outcome: { value: T } | { error: unknown } | undefined;
  pending.then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { error }),
  );
  for (let step = 0; step < 5_000 && outcome === undefined; step++) {
    await flushMicrotasks();
    if (outcome !== undefined) break;
    const next = clock.nextTimerAt;
    if (next === undefined) {
      if (step > 50) break;
      continue;
    }
    await clock.advance(next - clock.now());
  }
  if (outcome === undefined) expect.fail(`${what} never settled: a promise is left waiting forever`);
  if ("error" in outcome) {
    expect.fail(`${what} rejected with "${messageOf(outcome.error)}": a failing or unknown job must fail that job, never the worker`);
  }
  return outcome.value;
}

/**
 * The handlers a test registers, with two guards so that a worker that retries
 * forever (attempts never counted, say) fails the test instead of spinning:
 * a handler called more than 20 times for one job never settles, and the
 * registry refuses more than 5000 lookups.
 */
function registry(handlers: Record<string, Handler>): Record<string, Handler> {
  const calls = new Map<string, number>();
  const guarded: Record<string, Handler> = {};
  for (const [type, handler] of Object.entries(handlers)) {
    guarded[type] = (data, job) => {
      const n = (calls.get(String(job?.id)) ?? 0) + 1;
      calls.set(String(job?.id), n);
      if (n > 20) return new Promise(() => {});
      return handler(data, job);
    };
  }
  let lookups = 0;
  const count = () => {
    if (++lookups > 5_000) throw new Error("the worker looked up handlers 5000 times: is a job being retried forever?");
  };
  return new Proxy(guarded, {
    get: (target, key, receiver) => (count(), Reflect.get(target, key, receiver)),
    has: (target, key) => (count(), Reflect.has(target, key)),
    getOwnPropertyDescriptor: (target, key) => (count(), Reflect.getOwnPropertyDescriptor(target, key)),
  });
}

function sumOf(s: QueueStats): number {
  return s.waiting + s.active + s.completed + s.failed;
}

/** Problems with the stats right now, compared with the jobs' own states. */
function statsProblems(queue: JobQueueT, ids: string[], when: string): string[] {
  const s = queue.stats();
  const problems: string[] = [];
  if (s.enqueued !== ids.length) problems.push(`${when}: stats().enqueued is ${s.enqueued} but ${ids.length} jobs were added (a retry is not a new job)`);
  if (sumOf(s) !== s.enqueued) {
    problems.push(`${when}: waiting ${s.waiting} + active ${s.active} + completed ${s.completed} + failed ${s.failed} = ${sumOf(s)}, but enqueued is ${s.enqueued}`);
  }
  const counted = { waiting: 0, active: 0, completed: 0, failed: 0 };
  for (const id of ids) {
    const state = queue.getJob(id)?.state;
    if (state === undefined || !(state in counted)) problems.push(`${when}: getJob(${id}) has no valid state (${String(state)})`);
    else counted[state]++;
  }
  for (const state of ["waiting", "active", "completed", "failed"] as const) {
    if (counted[state] !== s[state]) problems.push(`${when}: stats().${state} is ${s[state]} but ${counted[state]} jobs are in state "${state}"`);
  }
  return problems;
}

describe("[C1][C7][C8][C9] running jobs", () => {
  test("[C1][C7][C9] runs jobs oldest first, each with the handler registered for its type, and records the result", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const calls: string[] = [];
    const worker = new Worker(queue, registry({
      email: async (data) => {
        calls.push(`email ${(data as { n: number }).n}`);
        return { sent: true };
      },
      report: async (data) => {
        calls.push(`report ${(data as { n: number }).n}`);
        return { pages: 3 };
      },
    }));
    const ids = [queue.add("email", { n: 1 }), queue.add("report", { n: 2 }), queue.add("email", { n: 3 })];
    expect(new Set(ids).size, "add() must return a new id for every job").toBe(3);
    await settle(clock, worker.drain(), "drain()");
    expect(calls, "jobs run in the order they were added, each by its type's handler").toEqual(["email 1", "report 2", "email 3"]);
    const first = queue.getJob(ids[0]!);
    expect(first?.state, "a job whose handler resolves is completed").toBe("completed");
    expect(first?.result, "a completed job keeps the handler's result").toEqual({ sent: true });
    expect(first?.attempts, "a job that succeeded on its first run has attempts 1").toBe(1);
    expect(queue.getJob(ids[1]!)?.result, "each job keeps its own result").toEqual({ pages: 3 });
    expect(queue.stats(), "after drain(): everything completed").toEqual({ enqueued: 3, waiting: 0, active: 0, completed: 3, failed: 0 });
  });

  test("[C7][C13] processNext() resolves false and drain() resolves 0 when nothing is waiting", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const worker = new Worker(queue, registry({}));
    expect(await settle(clock, worker.processNext(), "processNext()"), "processNext() on an empty queue resolves false").toBe(false);
    expect(await settle(clock, worker.drain(), "drain()"), "drain() on an empty queue resolves 0").toBe(0);
  });

  test("[C8][C12] a job is active, and counted as active, while its handler runs; side-by-side calls take different jobs", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const seenInside: Array<{ id: string; state?: string; stats: QueueStats }> = [];
    const worker = new Worker(queue, registry({
      slow: async (_data, job) => {
        seenInside.push({ id: job.id, state: queue.getJob(job.id)?.state, stats: queue.stats() });
        await clock.sleep(1_000);
        return "ok";
      },
    }));
    const [a, b, c] = [queue.add("slow", 1), queue.add("slow", 2), queue.add("slow", 3)];
    const first = worker.processNext();
    await flushMicrotasks();
    expect(queue.getJob(a)?.state, "while its handler is running the job must be active").toBe("active");
    expect(queue.stats(), "one job running, two waiting").toEqual({ enqueued: 3, waiting: 2, active: 1, completed: 0, failed: 0 });
    expect(seenInside[0]?.state, "the handler must already see its job as active").toBe("active");
    expect(seenInside[0]?.stats.active, "the handler must already see active = 1").toBe(1);

    const second = worker.processNext();
    const third = worker.processNext();
    await flushMicrotasks();
    expect(new Set(seenInside.map((s) => s.id)), "calls of processNext() made side by side must take different jobs").toEqual(new Set([a, b, c]));
    expect(queue.stats(), "three side-by-side calls: three active jobs, still adding up").toEqual({ enqueued: 3, waiting: 0, active: 3, completed: 0, failed: 0 });

    await clock.advance(1_000);
    await settle(clock, Promise.all([first, second, third]), "processNext()");
    expect(queue.stats(), "all three finished").toEqual({ enqueued: 3, waiting: 0, active: 0, completed: 3, failed: 0 });
  });
});

describe("[C3][C4] getJob and stats", () => {
  test("[C3] getJob returns a copy: changing it does not change the job or the stats", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const worker = new Worker(queue, registry({ email: async () => "sent" }));
    const id = queue.add("email", { to: "ada@example.com" });
    const view = queue.getJob(id)!;
    view.state = "completed";
    view.attempts = 99;
    view.maxAttempts = 0;
    expect(queue.getJob(id)?.state, "writing to the object getJob() returned must not change the job: return a copy ({ ...job })").toBe("waiting");
    expect(queue.getJob(id)?.attempts, "getJob() must return a copy, not the queue's own record").toBe(0);
    expect(queue.getJob("no-such-id"), "an unknown id gives undefined").toBeUndefined();
    await settle(clock, worker.drain(), "drain()");
    expect(queue.getJob(id)?.state, "the job runs as stored, whatever was done to an old copy").toBe("completed");
    expect(queue.stats(), "stats are unaffected by writes to a copy").toEqual({ enqueued: 1, waiting: 0, active: 0, completed: 1, failed: 0 });
  });

  test("[C3] getJob of an id add() never returned is undefined, also for names every object has", () => {
    const queue = new JobQueue();
    const known = [queue.add("email", {}), queue.add("email", {})];
    for (const id of ["", "0", "-1", "toString", "constructor", "__proto__", "hasOwnProperty", "valueOf", "undefined", "NaN"]) {
      if (known.includes(id)) continue;
      expect(queue.getJob(id), `getJob(${JSON.stringify(id)}): no job has that id, so undefined (keep jobs in a Map, not a plain object)`).toBeUndefined();
    }
  });

  test("[C4] stats() returns a snapshot: editing it or keeping it changes nothing", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const worker = new Worker(queue, registry({ email: async () => "sent" }));
    queue.add("email", {});
    queue.add("email", {});
    const before = queue.stats();
    const copy = { ...before };
    before.waiting = 99;
    before.enqueued = -1;
    before.completed = 7;
    expect(queue.stats(), "writing to the object stats() returned must not change the queue's counts: return a new object each time").toEqual({ enqueued: 2, waiting: 2, active: 0, completed: 0, failed: 0 });
    const kept = queue.stats();
    await settle(clock, worker.drain(), "drain()");
    expect(kept, "a snapshot taken earlier must not change when jobs move on").toEqual(copy);
    expect(queue.stats(), "the queue's own counts are intact").toEqual({ enqueued: 2, waiting: 0, active: 0, completed: 2, failed: 0 });
  });
});

describe("[C2][C10] failures and retries", () => {
  test("[C2][C10][C13] maxAttempts counts every run, the first one included, and the last error is kept", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const attemptsSeen: number[] = [];
    const worker = new Worker(queue, registry({
      broken: async (_data, job) => {
        attemptsSeen.push(job.attempt);
        await clock.sleep(10);
        throw new Error(`boom ${job.attempt}`);
      },
    }));
    const id = queue.add("broken", {}, { maxAttempts: 3 });
    const ran = await settle(clock, worker.drain(), "drain()");
    expect(attemptsSeen, "maxAttempts: 3 means exactly 3 runs, seen by the handler as attempt 1, 2, 3").toEqual([1, 2, 3]);
    expect(ran, "drain() resolves with the number of attempts it ran").toBe(3);
    const job = queue.getJob(id);
    expect(job?.state, "after its last allowed attempt fails, the job is failed").toBe("failed");
    expect(job?.attempts, "attempts counts the runs").toBe(3);
    expect(job?.error, "the failed job keeps the last error's message").toBe("boom 3");
    expect(queue.stats(), "one job, failed once and for all: not three failures").toEqual({ enqueued: 1, waiting: 0, active: 0, completed: 0, failed: 1 });

    const once = queue.add("broken", {});
    await settle(clock, worker.drain(), "drain()");
    expect(queue.getJob(once)?.attempts, "without maxAttempts a job runs once (default 1: no retries)").toBe(1);
    expect(queue.getJob(once)?.state, "and then it is failed").toBe("failed");
  });

  test("[C10] a failed attempt with attempts left goes back to waiting, at the back of the line, keeping its error", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const worker = new Worker(queue, registry({
      flaky: async (_data, job) => {
        if (job.attempt === 1) throw new Error("partner API returned 503");
        return "sent";
      },
      ok: async () => "done",
    }));
    const flaky = queue.add("flaky", {}, { maxAttempts: 2 });
    const other = queue.add("ok", {});
    await settle(clock, worker.processNext(), "processNext()");
    expect(queue.getJob(flaky)?.state, "a failed attempt with attempts left returns the job to waiting").toBe("waiting");
    expect(queue.getJob(flaky)?.error, "the waiting job keeps the error of its failed attempt").toBe("partner API returned 503");
    expect(queue.stats(), "the retried job is waiting again: counted once").toEqual({ enqueued: 2, waiting: 2, active: 0, completed: 0, failed: 0 });

    await settle(clock, worker.processNext(), "processNext()");
    expect(queue.getJob(other)?.state, "the retry waits behind jobs already in line: the other job runs next").toBe("completed");
    expect(queue.getJob(flaky)?.state, "the retried job is still waiting its turn").toBe("waiting");

    await settle(clock, worker.processNext(), "processNext()");
    expect(queue.getJob(flaky)?.state, "the second attempt succeeds").toBe("completed");
    expect(queue.getJob(flaky)?.attempts, "two runs").toBe(2);
  });

  test("[C10][C12] a handler that throws synchronously or rejects with a non-Error fails its job, not the worker", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const worker = new Worker(queue, registry({
      syncThrow: () => {
        throw new Error("thrown before any await");
      },
      throwsString: () => {
        throw "a plain string";
      },
      rejectsNumber: () => Promise.reject(42),
      returnsValue: () => 7,
    }));
    const ids = ["syncThrow", "throwsString", "rejectsNumber", "returnsValue"].map((type) => queue.add(type, {}));
    await settle(clock, worker.drain(), "drain()");
    expect(queue.getJob(ids[0]!)?.error, "a synchronous throw fails the job with its message").toBe("thrown before any await");
    expect(queue.getJob(ids[1]!)?.error, "a thrown string is recorded as the error message").toBe("a plain string");
    expect(queue.getJob(ids[2]!)?.error, "a rejection with 42 is recorded as \"42\"").toBe("42");
    expect(queue.getJob(ids[2]!)?.state, "those jobs are failed").toBe("failed");
    expect(queue.getJob(ids[3]!)?.result, "a handler may return a plain (non-promise) value: that is its result").toBe(7);
  });

  test("[C2] maxAttempts: omitted or undefined means 1; any whole number >= 1 is accepted however large", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const runs = new Map<string, number>();
    const worker = new Worker(queue, registry({
      broken: (_data, job) => {
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        throw new Error("always fails");
      },
    }));
    for (const big of [2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER, 2 ** 53, 1e300]) {
      let id: string | undefined;
      const error = (() => {
        try {
          id = queue.add("x", {}, { maxAttempts: big });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, `maxAttempts ${big} is a whole number >= 1: accept it (check with Number.isInteger; not with | 0, not with Number.isSafeInteger)`).toBeUndefined();
      expect(queue.getJob(id ?? "")?.maxAttempts, `the job keeps maxAttempts ${big}`).toBe(big);
    }
    const a = queue.add("broken", {}, { maxAttempts: undefined });
    const b = queue.add("broken", {}, {});
    const c = queue.add("broken", {});
    await settle(clock, worker.drain(), "drain()");
    for (const id of [a, b, c]) {
      expect(runs.get(id), "without a maxAttempts the default is 1: one run, no retry").toBe(1);
      expect(queue.getJob(id)?.state, "after its one run fails, the job is failed").toBe("failed");
    }
  });

  test("[C9] a handler's result is kept whatever it is: undefined, null, 0, \"\" and false complete the job too", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const values: unknown[] = [undefined, null, 0, "", false, Number.NaN];
    const worker = new Worker(queue, registry({ give: (data) => values[data as number], giveAsync: async (data) => values[data as number] }));
    const ids = values.flatMap((_, i) => [queue.add("give", i), queue.add("giveAsync", i)]);
    await settle(clock, worker.drain(), "drain()");
    ids.forEach((id, n) => {
      const value = values[Math.floor(n / 2)];
      const job = queue.getJob(id);
      expect(job?.state, `a handler that ${n % 2 ? "resolves" : "returns"} ${String(value)} has succeeded: its job is completed`).toBe("completed");
      expect(job?.result, `the job's result is ${String(value)}, as the handler gave it`).toBe(value);
    });
  });

  test("[C10] whatever a handler throws, its job fails with the Error's message (even \"\") or String(value) as the error, and processNext() resolves true", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const thrown: Array<[unknown, string]> = [[null, "null"], [undefined, "undefined"], [0, "0"], ["", ""], [false, "false"], [{ toString: () => "custom" }, "custom"], [new TypeError("bad input"), "bad input"], [new Error(""), ""]];
    const worker = new Worker(queue, registry({
      syncThrow: (data) => {
        throw thrown[data as number]![0];
      },
      asyncThrow: async (data) => {
        await Promise.resolve();
        throw thrown[data as number]![0];
      },
    }));
    for (let i = 0; i < thrown.length; i++) {
      for (const type of ["syncThrow", "asyncThrow"]) {
        const id = queue.add(type, i);
        const took = await settle(clock, worker.processNext(), `processNext() on a job whose handler throws ${thrown[i]![1] || '""'}`);
        expect(took, "processNext() took a job: it resolves true").toBe(true);
        const job = queue.getJob(id);
        expect(job?.state, `a handler that throws ${JSON.stringify(thrown[i]![1])} fails its job (no retries left)`).toBe("failed");
        expect(job?.error, `the error is the Error's message (even an empty one), or String(value) for anything else: ${JSON.stringify(thrown[i]![1])}`).toBe(thrown[i]![1]);
      }
    }
    expect(queue.stats(), "every job failed, and the sum still adds up").toEqual({ enqueued: thrown.length * 2, waiting: 0, active: 0, completed: 0, failed: thrown.length * 2 });
  });

  test("[C8] every handler call gets its own context, unchanged while other jobs start", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const seen: string[] = [];
    const worker = new Worker(queue, registry({
      slow: async (data, job) => {
        const before = `${job.id}/${job.type}/${job.attempt}`;
        await clock.sleep(10);
        const after = `${job.id}/${job.type}/${job.attempt}`;
        seen.push(before === after ? `ok ${String(data)}` : `job ${String(data)}: context was ${before}, then ${after}`);
        if (data === "a" && job.attempt === 1) throw new Error("retry me");
        return "done";
      },
      fast: async (data, job) => {
        seen.push(job.type === "fast" ? `ok ${String(data)}` : `job ${String(data)}: context says type ${job.type}`);
      },
    }));
    queue.add("slow", "a", { maxAttempts: 2 });
    queue.add("slow", "b");
    queue.add("fast", "c");
    await settle(clock, Promise.all([worker.processNext(), worker.processNext(), worker.processNext()]), "processNext()");
    await settle(clock, worker.drain(), "drain()");
    expect(seen.sort(), "each handler call must get its own { id, type, attempt } object: one shared object overwritten for the next job changes what a running handler sees").toEqual(["ok a", "ok a", "ok b", "ok c"]);
  });

  test("[C8][C10] a retry joins the back of the line as it is when the attempt fails, behind jobs added meanwhile", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const order: string[] = [];
    const names = new Map<string, string>();
    const worker = new Worker(queue, registry({
      flaky: async (data, job) => {
        order.push(`${String(data)}${job.attempt}`);
        if (names.get(job.id) !== data || job.type !== "flaky") order.push(`wrong context ${JSON.stringify(job)}`);
        await clock.sleep(10);
        throw new Error("down");
      },
      ok: async (data, job) => {
        order.push(`${String(data)}${job.attempt}`);
        if (names.get(job.id) !== data || job.type !== "ok") order.push(`wrong context ${JSON.stringify(job)}`);
        return "done";
      },
    }));
    const add = (type: string, name: string, maxAttempts = 1) => names.set(queue.add(type, name, { maxAttempts }), name);
    add("flaky", "A", 3);
    add("ok", "B");
    const first = worker.processNext();
    await flushMicrotasks();
    add("ok", "C");
    await settle(clock, first, "processNext()");
    await settle(clock, worker.drain(), "drain()");
    expect(order, "the handler gets (data, { id, type, attempt }); a failed attempt goes to the back of the line as it is then: A's retry runs after B and after C, added while A ran").toEqual(["A1", "B1", "C1", "A2", "A3"]);
  });

  test("[C2] maxAttempts must be a whole number of at least 1: anything else is a RangeError and adds nothing", () => {
    const queue = new JobQueue();
    for (const bad of [0, -0, -1, 0.5, 1.5, 2.5, Number.NaN, Infinity, -Infinity, Number.EPSILON]) {
      expect(() => queue.add("x", {}, { maxAttempts: bad }), `maxAttempts ${bad} must be refused with a RangeError, not replaced by a default`).toThrow(RangeError);
    }
    expect(queue.stats(), "a refused add() adds nothing: no job waiting, nothing enqueued").toEqual({ enqueued: 0, waiting: 0, active: 0, completed: 0, failed: 0 });
  });
});

describe("[C6][C11] unknown job types", () => {
  test("[C11][C12] a job with no handler for its type fails at once, with an error naming the type, and the worker carries on", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const worker = new Worker(queue, registry({ email: async () => "sent" }));
    const sms = queue.add("send-sms", { to: "+15555550100" }, { maxAttempts: 3 });
    const email = queue.add("email", {});
    expect(await settle(clock, worker.processNext(), "processNext() on a job of unknown type"), "processNext() resolves true: it took a job").toBe(true);
    const job = queue.getJob(sms);
    expect(job?.state, "no code can run this job, so retrying cannot help: it fails at once despite maxAttempts 3").toBe("failed");
    expect(job?.error ?? "", 'the error must name the unknown type ("send-sms")').toContain("send-sms");
    await settle(clock, worker.drain(), "drain() after an unknown job");
    expect(queue.getJob(email)?.state, "the worker keeps going: the next job is completed").toBe("completed");
    expect(queue.stats(), "one failed, one completed").toEqual({ enqueued: 2, waiting: 0, active: 0, completed: 1, failed: 1 });
  });

  test("[C6][C11] types named after Object.prototype members (toString, constructor...) are unknown too", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const worker = new Worker(queue, registry({ email: async () => "sent" }));
    for (const type of ["toString", "constructor", "hasOwnProperty", "valueOf", "__proto__"]) {
      const id = queue.add(type, {});
      await settle(clock, worker.processNext(), `processNext() on a job of type "${type}"`);
      expect(queue.getJob(id)?.state, `"${type}" is not a registered handler: look up own properties only (Object.hasOwn or a Map)`).toBe("failed");
      expect(queue.getJob(id)?.error ?? "", `the error must name the type "${type}"`).toContain(type);
    }
  });
});

describe("[C6] handler maps", () => {
  test("[C6] own handlers named toString, constructor, hasOwnProperty or __proto__ run, and a null-prototype map works", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const ran: string[] = [];
    const handlers = Object.create(null) as Record<string, Handler>;
    for (const type of ["email", "toString", "constructor", "hasOwnProperty", "__proto__", "valueOf"]) {
      Object.defineProperty(handlers, type, { value: (_data: unknown, job: { type: string }) => (ran.push(job.type), `ran ${type}`), enumerable: true });
    }
    const worker = new Worker(queue, handlers);
    const types = ["email", "toString", "constructor", "hasOwnProperty", "__proto__", "valueOf"];
    const ids = types.map((type) => queue.add(type, {}));
    await settle(clock, worker.drain(), "drain() with a handler map made by Object.create(null)");
    types.forEach((type, i) => {
      expect(queue.getJob(ids[i]!)?.state, `handlers has an own property "${type}", so a "${type}" job has a handler and completes (use Object.hasOwn or a Map, which also work without a prototype)`).toBe("completed");
      expect(queue.getJob(ids[i]!)?.result, `the "${type}" job's result comes from its own handler`).toBe(`ran ${type}`);
    });
    expect(ran, "each handler ran once, in order").toEqual(types);

    const plain = new JobQueue();
    const own = new Worker(plain, { toString: () => "mine", email: () => "sent" });
    const [t, c] = [plain.add("toString", {}), plain.add("constructor", {})];
    await settle(clock, own.drain(), "drain()");
    expect(plain.getJob(t)?.result, 'an own "toString" handler is a handler like any other').toBe("mine");
    expect(plain.getJob(c)?.state, '"constructor" is not an own property of this map: no handler, failed').toBe("failed");
  });
});

describe("[C13] drain", () => {
  test("[C13] drain() also runs jobs added while it runs, and counts every attempt", async () => {
    const clock = new FakeClock();
    const queue = new JobQueue();
    const worker = new Worker(queue, registry({
      parent: async () => {
        await clock.sleep(5);
        queue.add("child", {});
        return "spawned";
      },
      child: async () => "done",
    }));
    queue.add("parent", {});
    const ran = await settle(clock, worker.drain(), "drain()");
    expect(ran, "drain() runs until nothing is waiting: the parent, then the child it added").toBe(2);
    expect(queue.stats(), "both jobs completed").toEqual({ enqueued: 2, waiting: 0, active: 0, completed: 2, failed: 0 });
  });
});

// --- the invariant, over random histories --------------------------------------------
type Plan = { type: "work" | "missing" | "toString"; outcomes: boolean[]; maxAttempts: number; duration: number };
type Command = { kind: "add"; plan: Plan } | { kind: "start" } | { kind: "tick"; ms: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record({
        type: fc.constantFrom("work" as const, "work" as const, "work" as const, "missing" as const, "toString" as const),
        outcomes: fc.array(fc.boolean(), { maxLength: 4 }),
        maxAttempts: fc.integer({ min: 1, max: 4 }),
        duration: fc.integer({ min: 0, max: 30 }),
      })
      .map((plan) => ({ kind: "add" as const, plan })),
  },
  { weight: 3, arbitrary: fc.constant({ kind: "start" as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 40 }).map((ms) => ({ kind: "tick" as const, ms })) },
);

describe("[C5] stats always add up", () => {
  test("[C5][C8][C10][C11][C12] at every moment waiting + active + completed + failed === enqueued, with retries, unknown types and jobs side by side", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 25 }), async (commands) => {
        const clock = new FakeClock();
        const queue = new JobQueue();
        const ids: string[] = [];
        const plans = new Map<string, Plan & { calls: number }>();
        const problems: string[] = [];
        const handlers: Record<string, Handler> = {
          work: async (_data, job) => {
            problems.push(...statsProblems(queue, ids, `when job ${job.id}'s handler started`));
            if (queue.getJob(job.id)?.state !== "active") problems.push(`job ${job.id} was not active while its handler ran`);
            const plan = plans.get(job.id)!;
            plan.calls++;
            if (job.attempt !== plan.calls) problems.push(`job ${job.id}: handler call ${plan.calls} was told attempt ${job.attempt}`);
            const stored = queue.getJob(job.id)?.attempts;
            if (stored !== job.attempt) problems.push(`job ${job.id}: while its handler ran (attempt ${job.attempt}) getJob().attempts was ${stored}; count the attempt when the job is taken, before the handler runs`);
            await clock.sleep(plan.duration);
            problems.push(...statsProblems(queue, ids, `when job ${job.id}'s handler was about to finish`));
            if (!(plan.outcomes[plan.calls - 1] ?? true)) throw new Error(`planned failure on attempt ${plan.calls}`);
            return `result of ${job.id}`;
          },
        };
        const worker = new Worker(queue, registry(handlers));
        const started: Array<Promise<void>> = [];
        const start = () =>
          started.push(
            worker.processNext().then(
              () => undefined,
              (error: unknown) => void problems.push(`processNext() rejected with "${messageOf(error)}": a job's failure must fail the job, never the worker`),
            ),
          );

        for (const c of commands) {
          if (c.kind === "add") {
            const id = queue.add(c.plan.type, { n: ids.length }, { maxAttempts: c.plan.maxAttempts });
            ids.push(id);
            plans.set(id, { ...c.plan, calls: 0 });
            problems.push(...statsProblems(queue, ids, `after add() of job ${id}`));
          } else if (c.kind === "start") {
            start();
            problems.push(...statsProblems(queue, ids, "right after processNext() was called"));
          } else {
            await clock.advance(c.ms);
            problems.push(...statsProblems(queue, ids, `after ${c.ms} ms passed`));
          }
        }

        // Let everything finish: keep a worker draining until nothing is waiting or active.
        for (let round = 0; round < 50; round++) {
          const s = queue.stats();
          if (s.waiting === 0 && s.active === 0) break;
          start();
          await settle(clock, Promise.all(started), "the started processNext() calls");
          problems.push(...statsProblems(queue, ids, "after the started calls settled"));
        }
        expect(problems.slice(0, 3), "the stats must add up at every observable moment").toEqual([]);

        for (const id of ids) {
          const plan = plans.get(id)!;
          const job = queue.getJob(id);
          if (plan.type !== "work") {
            expect(job?.state, `job ${id} of type "${plan.type}" has no handler: it must be failed`).toBe("failed");
            continue;
          }
          const firstSuccess = Array.from({ length: plan.maxAttempts }, (_, i) => plan.outcomes[i] ?? true).indexOf(true);
          const expected = firstSuccess === -1 ? { state: "failed", attempts: plan.maxAttempts } : { state: "completed", attempts: firstSuccess + 1 };
          expect({ state: job?.state, attempts: job?.attempts }, `job ${id} with outcomes ${JSON.stringify(plan.outcomes)} and maxAttempts ${plan.maxAttempts}`).toEqual(expected);
        }
        const final = queue.stats();
        expect(final.waiting + final.active, "when everything has run nothing is waiting or active").toBe(0);
      }),
    );
  });
});
