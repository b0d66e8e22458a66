// queuecraft:hidden-or-solution — never in a student edition
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { Queue, Worker, type BackoffOptions, type Job, type JobsOptions } from "bullmq";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/6-streams-http-and-production/25-bullmq-production/challenge.ts");
const { toBullMQ } = await loadCandidate<Challenge>(import.meta.url);

const MIN = -1_000_000;
const MAX = 1_000_000;
const clamp = (p: number) => Math.min(MAX, Math.max(MIN, p));

function priorityOf(priority: number | undefined): number | undefined {
  return toBullMQ(priority === undefined ? {} : { priority }).opts.priority;
}

function backoffOf(opts: JobsOptions): { type: string; delay: number } {
  const b = opts.backoff as number | BackoffOptions | undefined;
  if (b === undefined) return { type: "fixed", delay: 0 };
  if (typeof b === "number") return { type: "fixed", delay: b };
  return { type: b.type, delay: b.delay ?? 0 };
}

const anyPriority = fc.oneof(fc.integer({ min: MIN, max: MAX }), fc.integer({ min: -50_000_000, max: 50_000_000 }), fc.constantFrom(MIN, MAX, 0, -1, 1));

describe("the mapping (pure)", () => {
  test("[C1] every job gets an explicit BullMQ priority in 1..2,097,151, never 0 (0 means none and runs first)", () => {
    fc.assert(
      fc.property(fc.option(anyPriority, { nil: undefined }), (p) => {
        const mapped = priorityOf(p);
        expect(Number.isInteger(mapped), `priority ${p} must map to an integer BullMQ priority, got ${mapped}`).toBe(true);
        expect(mapped! >= 1 && mapped! <= 2_097_151, `priority ${p} mapped to ${mapped}: BullMQ needs 1..2,097,151 (0 would mean "no priority", which runs before every prioritized job)`).toBe(true);
      }),
    );
  });

  test("[C2] a higher portable priority maps to a strictly lower BullMQ number, equal to equal", () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN, max: MAX }), fc.integer({ min: MIN, max: MAX }), (a, b) => {
        const [ma, mb] = [priorityOf(a)!, priorityOf(b)!];
        if (a > b) expect(ma < mb, `portable ${a} is more urgent than ${b}, so its BullMQ priority must be lower (got ${ma} vs ${mb})`).toBe(true);
        if (a === b) expect(ma, "equal priorities must map to equal BullMQ priorities").toBe(mb);
      }),
    );
  });

  test("[C2] neighbours at the edges of the range stay distinct and in order", () => {
    const pairs: Array<[number, number]> = [
      [MAX, MAX - 1],
      [MAX - 1, MAX - 2],
      [MIN + 1, MIN],
      [MIN + 2, MIN + 1],
      [1, 0],
      [0, -1],
    ];
    for (const [higher, lower] of pairs) {
      const [a, b] = [priorityOf(higher)!, priorityOf(lower)!];
      if (!(a < b)) expect(a, `portable ${higher} is more urgent than ${lower}: its BullMQ priority must be strictly lower (got ${a} vs ${b}); flipping around PRIORITY_MAX and clamping to 1 merges the most urgent values`).toBeLessThan(b);
    }
  });

  test("[C1][C3] an absent priority is treated as 0 and values beyond the range as the nearest bound", () => {
    expect(priorityOf(undefined), "a job without a priority must rank exactly like priority 0").toBe(priorityOf(0));
    fc.assert(
      fc.property(fc.integer({ min: -50_000_000, max: 50_000_000 }), (p) => {
        expect(priorityOf(p), `priority ${p} is out of range and must rank like ${clamp(p)}`).toBe(priorityOf(clamp(p)));
      }),
    );
  });

  test("[C4] attempts is retryLimit + 1: BullMQ counts the first try, retryLimit does not", () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }), (retryLimit) => {
        const { opts } = toBullMQ(retryLimit === undefined ? {} : { retryLimit });
        expect(opts.attempts ?? 1, `retryLimit ${retryLimit} means ${(retryLimit ?? 0) + 1} tries in all`).toBe((retryLimit ?? 0) + 1);
      }),
    );
  });

  test("[C5] retryDelay seconds become backoff milliseconds; retryBackoff picks exponential, otherwise fixed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.option(fc.integer({ min: 1, max: 3_600_000 }), { nil: undefined }),
        fc.boolean(),
        (retryLimit, delayMs, retryBackoff) => {
          const input = { retryLimit, retryBackoff, ...(delayMs === undefined ? {} : { retryDelay: delayMs / 1000 }) };
          const got = backoffOf(toBullMQ(input).opts);
          const expected = delayMs ?? (retryBackoff ? 1000 : 0);
          expect(Math.abs(got.delay - expected) < 0.5, `${JSON.stringify(input)}: BullMQ's backoff delay is in ms, expected ${expected}, got ${got.delay}`).toBe(true);
          if (expected > 0) {
            expect(got.type, `${JSON.stringify(input)}: retryBackoff ${retryBackoff} means a ${retryBackoff ? "exponential" : "fixed"} backoff`).toBe(retryBackoff ? "exponential" : "fixed");
          }
        },
      ),
    );
  });

  test("[C5][C6] an explicit 0 is a zero wait, not the default", () => {
    for (const retryBackoff of [true, false]) {
      const got = backoffOf(toBullMQ({ retryLimit: 3, retryDelay: 0, retryBackoff }).opts);
      expect(got.delay, `retryDelay: 0 with retryBackoff ${retryBackoff} asks for no wait before retrying: backoff delay 0 ms (default it with ??, not ||)`).toBe(0);
    }
    expect(backoffOf(toBullMQ({ retryLimit: 3, retryBackoff: true }).opts).delay, "retryBackoff without a retryDelay waits 1 second, as pg-boss does").toBe(1000);
    expect(toBullMQ({ startAfterSeconds: 0 }).opts.delay ?? 0, "startAfterSeconds: 0 means start now: no delay").toBe(0);
  });

  test("[C6][C7] startAfterSeconds becomes BullMQ's delay in milliseconds and expireInSeconds becomes timeoutMs", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 86_400_000 }), fc.integer({ min: 1, max: 3_600_000 }), (startMs, timeoutMs) => {
        const plan = toBullMQ({ startAfterSeconds: startMs / 1000, expireInSeconds: timeoutMs / 1000 });
        expect(Math.abs((plan.opts.delay ?? 0) - startMs) < 0.5, `startAfterSeconds ${startMs / 1000} must give delay ${startMs} ms, got ${plan.opts.delay}`).toBe(true);
        expect(Math.abs((plan.timeoutMs ?? 0) - timeoutMs) < 0.5, `expireInSeconds ${timeoutMs / 1000} must give timeoutMs ${timeoutMs}, got ${plan.timeoutMs}`).toBe(true);
      }),
    );
    expect(toBullMQ({}).timeoutMs, "no expireInSeconds means no timeout").toBeUndefined();
    expect(toBullMQ({}).opts.delay ?? 0, "no startAfterSeconds means no delay").toBe(0);
  });
});

describe("an empty singletonKey", () => {
  test("[C9] an empty singletonKey is refused at once with an Error naming singletonKey, neither dropped nor left for queue.add to fail on", () => {
    let thrown: unknown;
    let plan: unknown;
    try {
      plan = toBullMQ({ singletonKey: "" });
    } catch (error) {
      thrown = error;
    }
    const dedupe = (plan as { opts?: JobsOptions } | undefined)?.opts?.deduplication;
    expect(thrown, `toBullMQ({ singletonKey: "" }) must throw (it returned ${dedupe ? `deduplication ${JSON.stringify(dedupe)}, which queue.add refuses` : "a plan without deduplication, silently dropping the key"})`).toBeInstanceOf(Error);
    expect((thrown as Error).message, "the error's message must name singletonKey, so the caller knows which option is wrong").toContain("singletonKey");
    expect(toBullMQ({ singletonKey: "0" }).opts.deduplication?.id, "any non-empty string is a key, \"0\" included").toBe("0");
  });
});

// ---------------------------------------------------------------------------
// The same options, handed to BullMQ on a real Redis.

function redisConnection(): { url: string } {
  const url = process.env.REDIS_URL;
  if (!url) {
    throw new Error("REDIS_URL is not set: these tests need a real Redis. `npm run check bullmq-production` starts one; by hand, start redis-server and set REDIS_URL=redis://127.0.0.1:6379");
  }
  return { url };
}

/** A queue and worker under a fresh prefix; everything is removed and closed afterwards. */
async function withQueue(
  processor: (job: Job) => Promise<unknown>,
  body: (queue: Queue, start: () => Worker) => Promise<void>,
): Promise<void> {
  const connection = redisConnection();
  const prefix = `qc-hidden-${randomUUID()}`;
  const queue = new Queue("jobs", { connection, prefix });
  let worker: Worker | undefined;
  try {
    await body(queue, () => {
      worker = new Worker("jobs", processor, { connection, prefix, concurrency: 1, autorun: false });
      void worker.run();
      return worker;
    });
  } finally {
    await worker?.close(true);
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("on a real Redis", () => {
  test("[C1][C2][C3] BullMQ runs the jobs most urgent first, in insertion order among equals", async () => {
    const priorities = [undefined, 0, -5, 3, 3, 1_000_000, 7, 50_000_000, -2_000_000, -1_000_000, 1, undefined, -5];
    const seen: number[] = [];
    await withQueue(
      async (job) => void seen.push(job.data.i as number),
      async (queue, start) => {
        for (const [i, priority] of priorities.entries()) {
          await queue.add("job", { i }, toBullMQ(priority === undefined ? {} : { priority }).opts);
        }
        start();
        await until("every job to run", () => seen.length === priorities.length);
      },
    );
    const rank = (i: number) => clamp(priorities[i] ?? 0);
    const expected = priorities.map((_, i) => i).sort((a, b) => rank(b) - rank(a) || a - b);
    const show = (order: number[]) => order.map((i) => String(priorities[i] ?? "none")).join(", ");
    expect(show(seen), "BullMQ must process higher portable priorities first (absent = 0), ties in insertion order").toBe(show(expected));
  });

  test("[C4][C5] a failing job is tried exactly retryLimit + 1 times, waiting retryDelay seconds between tries", async () => {
    const calls = new Map<string, number[]>();
    await withQueue(
      async (job) => {
        calls.set(job.name, [...(calls.get(job.name) ?? []), Date.now()]);
        throw new Error("always fails");
      },
      async (queue, start) => {
        const jobs = [
          await queue.add("two-retries", {}, toBullMQ({ retryLimit: 2, retryDelay: 0.01, retryBackoff: true }).opts),
          await queue.add("no-retries", {}, toBullMQ({}).opts),
          await queue.add("one-slow-retry", {}, toBullMQ({ retryLimit: 1, retryDelay: 0.15 }).opts),
        ];
        start();
        await until("all three jobs to fail for good", async () => {
          const states = await Promise.all(jobs.map((j) => queue.getJobState(j.id!)));
          return states.every((s) => s === "failed");
        });
      },
    );
    expect(calls.get("two-retries")?.length, "retryLimit 2 means 3 tries in all").toBe(3);
    expect(calls.get("no-retries")?.length, "no retryLimit means exactly one try").toBe(1);
    const slow = calls.get("one-slow-retry") ?? [];
    expect(slow.length, "retryLimit 1 means 2 tries in all").toBe(2);
    expect(slow[1]! - slow[0]! >= 140, `retryDelay 0.15 s must make BullMQ wait about 150 ms before the retry, it waited ${slow[1]! - slow[0]!} ms`).toBe(true);
  });

  test("[C8] a singletonKey dedupes while its job is pending and is free again once it has completed", async () => {
    let runs = 0;
    await withQueue(
      async () => void runs++,
      async (queue, start) => {
        const key = "invoice-42";
        await queue.add("send", { n: 1 }, toBullMQ({ singletonKey: key }).opts);
        await queue.add("send", { n: 2 }, toBullMQ({ singletonKey: key }).opts);
        start();
        await until("the first job to run", () => runs >= 1);
        await until("the first job to complete", async () => (await queue.getCompletedCount()) >= 1);
        await new Promise((r) => setTimeout(r, 100));
        expect(runs, "two adds with the same singletonKey while the first waits must run once").toBe(1);
        await queue.add("send", { n: 3 }, toBullMQ({ singletonKey: key }).opts);
        await until("a job added after completion to run", () => runs >= 2, 1000).catch(() => {});
        expect(runs, "after the keyed job completed, the same key must be accepted again (use deduplication, not a custom jobId)").toBe(2);
      },
    );
  });
});
