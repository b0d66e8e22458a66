// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { FakeClock, flushMicrotasks } from "#kit/clock.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/4-scheduling-and-scaling/16-concurrency-groups/challenge.ts");
const { createGroupLimiter } = await loadCandidate<Challenge>(import.meta.url);

type Outcome = "ok" | "reject" | "throw";

interface Spec {
  group: string;
  duration: number;
  outcome: Outcome;
  submitAt: number;
}

interface Tracked {
  spec: Spec;
  index: number;
  startedAt?: number;
  settled?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

/**
 * Submits the tasks on a fake clock and watches them from the outside: how many
 * run at once (in total and per group), when each starts, how each run() settles,
 * and, after every step of the clock, whether a waiting task could have started.
 */
async function simulate(specs: Spec[], maxActive: number, maxPerGroup: number) {
  const clock = new FakeClock();
  const limiter = createGroupLimiter({ maxActive, maxPerGroup });
  const tracked: Tracked[] = specs.map((spec, index) => ({ spec, index }));
  const errors = tracked.map((t) => new Error(`task ${t.index} failed`));
  let running = 0;
  const runningIn = new Map<string, number>();
  let maxRunning = 0;
  const maxRunningIn = new Map<string, number>();
  const submitted: Tracked[] = [];
  const idleProblems: string[] = [];

  const begin = (t: Tracked) => {
    t.startedAt = clock.now();
    running++;
    runningIn.set(t.spec.group, (runningIn.get(t.spec.group) ?? 0) + 1);
    maxRunning = Math.max(maxRunning, running);
    maxRunningIn.set(t.spec.group, Math.max(maxRunningIn.get(t.spec.group) ?? 0, runningIn.get(t.spec.group)!));
  };
  const end = (t: Tracked) => {
    running--;
    runningIn.set(t.spec.group, runningIn.get(t.spec.group)! - 1);
  };

  const taskFor = (t: Tracked): (() => Promise<unknown>) => {
    if (t.spec.outcome === "throw") {
      return () => {
        begin(t);
        end(t);
        throw errors[t.index];
      };
    }
    return async () => {
      begin(t);
      await clock.sleep(t.spec.duration);
      end(t);
      if (t.spec.outcome === "reject") throw errors[t.index];
      return `value ${t.index}`;
    };
  };

  const checkNoIdleSlot = () => {
    for (const t of submitted) {
      if (t.startedAt !== undefined) continue;
      const groupFull = (runningIn.get(t.spec.group) ?? 0) >= maxPerGroup;
      if (!groupFull && running < maxActive) {
        idleProblems.push(
          `at t=${clock.now()} task ${t.index} (group ${t.spec.group}) was waiting although its group had ${runningIn.get(t.spec.group) ?? 0}/${maxPerGroup} running and ${running}/${maxActive} ran in total`,
        );
      }
    }
  };

  for (const t of tracked) {
    clock.setTimeout(() => {
      submitted.push(t);
      limiter.run(t.spec.group, taskFor(t)).then(
        (value) => (t.settled = { ok: true, value }),
        (error: unknown) => (t.settled = { ok: false, error }),
      );
    }, t.spec.submitAt);
  }
  await flushMicrotasks();
  for (let steps = 0; clock.pendingTimers > 0 && steps < 10_000; steps++) {
    await clock.advance(clock.nextTimerAt! - clock.now());
    checkNoIdleSlot();
  }
  await flushMicrotasks();
  return { tracked, errors, maxRunning, maxRunningIn, idleProblems, stats: limiter.stats(), limiter, clock };
}

const describeSpecs = (specs: Spec[]) =>
  specs.map((s, i) => `#${i} ${s.group}@${s.submitAt} ${s.duration}ms ${s.outcome}`).join(", ");

describe("createGroupLimiter", () => {
  test("[C6] a task submitted to an idle limiter has started once pending promise callbacks have run: never after a timer", async () => {
    const limiter = createGroupLimiter({ maxActive: 2, maxPerGroup: 1 });
    const started: string[] = [];
    void limiter.run("a", async () => void started.push("a"));
    void limiter.run("b", async () => void started.push("b"));
    await flushMicrotasks();
    expect(started.sort(), "run() may call the task at once or a microtask later, but not after a timer: both tasks must have started").toEqual(["a", "b"]);
  });

  test("[C10] limits must be integers of at least 1: 0, negatives, fractions, NaN, Infinity and missing limits throw a RangeError; 2^31 and above are fine", async () => {
    const bad: Array<Record<string, unknown>> = [
      { maxActive: 0, maxPerGroup: 1 },
      { maxActive: 2, maxPerGroup: 0 },
      { maxActive: -1, maxPerGroup: 1 },
      { maxActive: 2, maxPerGroup: -3 },
      { maxActive: 1.5, maxPerGroup: 1 },
      { maxActive: 2, maxPerGroup: 1.5 },
      { maxActive: 2, maxPerGroup: 0.5 },
      { maxActive: Number.NaN, maxPerGroup: 1 },
      { maxActive: 2, maxPerGroup: Number.NaN },
      { maxActive: Number.POSITIVE_INFINITY, maxPerGroup: 1 },
      { maxActive: 2, maxPerGroup: Number.POSITIVE_INFINITY },
      { maxPerGroup: 1 },
      { maxActive: 2 },
    ];
    const show = (options: Record<string, unknown>) => `{ ${Object.entries(options).map(([k, v]) => `${k}: ${String(v)}`).join(", ")} }`;
    for (const options of bad) {
      expect(
        () => createGroupLimiter(options as { maxActive: number; maxPerGroup: number }),
        `createGroupLimiter(${show(options)}) must throw a RangeError: each limit is an integer >= 1`,
      ).toThrow(RangeError);
    }
    for (const [maxActive, maxPerGroup] of [[2 ** 31, 2 ** 31], [2 ** 32 + 1, 1], [1, 2 ** 40]] as const) {
      let limiter: ReturnType<typeof createGroupLimiter>;
      try {
        limiter = createGroupLimiter({ maxActive, maxPerGroup });
      } catch (error) {
        expect.fail(`createGroupLimiter(${show({ maxActive, maxPerGroup })}) threw ${String(error)}: any integer >= 1 is a valid limit, 2^31 and above included`);
      }
      const got: number[] = [];
      for (let i = 0; i < 3; i++) void limiter.run("g", async () => i).then((v) => got.push(v));
      await flushMicrotasks();
      await flushMicrotasks();
      expect(got.sort(), `createGroupLimiter({ maxActive: ${maxActive}, maxPerGroup: ${maxPerGroup} }) is valid (integers above 2^31 included) and must run its tasks`).toEqual([0, 1, 2]);
    }
  });

  test("[C1] run() settles with exactly what its task gave: falsy values, and thrown or rejected values that are not Errors", async () => {
    const limiter = createGroupLimiter({ maxActive: 2, maxPerGroup: 2 });
    const values: unknown[] = [0, "", null, undefined, false, Number.NaN, -0, { id: 7 }];
    const thrown: unknown[] = [undefined, null, 0, "", "a plain string", { code: 429 }, new RangeError("typed")];
    const problems: string[] = [];
    const pending = new Set<string>();
    const watch = (label: string, p: Promise<unknown>, want: { ok: boolean; value: unknown }) => {
      pending.add(label);
      p.then(
        (value) => {
          pending.delete(label);
          if (!want.ok) problems.push(`${label}: fulfilled with ${String(value)} instead of rejecting`);
          else if (!Object.is(value, want.value)) problems.push(`${label}: fulfilled with ${String(value)}, not with the task's own value`);
        },
        (error: unknown) => {
          pending.delete(label);
          if (want.ok) problems.push(`${label}: rejected with ${String(error)} instead of fulfilling`);
          else if (!Object.is(error, want.value)) problems.push(`${label}: rejected with ${String(error)}, not with the very value the task threw`);
        },
      );
    };
    values.forEach((value, i) => watch(`task fulfilling with ${String(value)}`, limiter.run(`v${i % 2}`, async () => value), { ok: true, value }));
    thrown.forEach((value, i) => {
      watch(`task rejecting with ${String(value)}`, limiter.run(`r${i % 2}`, async () => Promise.reject(value)), { ok: false, value });
      const sync = (() => {
        throw value;
      }) as () => Promise<unknown>;
      watch(`task throwing ${String(value)} synchronously`, limiter.run(`t${i % 2}`, sync), { ok: false, value });
    });
    for (let i = 0; i < 5; i++) await flushMicrotasks();
    expect(problems, "run() must fulfil with the task's value or reject with the very value it threw (no wrapping, no defaults for falsy values)").toEqual([]);
    expect([...pending], "every run() must settle once its task has").toEqual([]);
    expect(limiter.stats(), "once every task has settled, stats() is all zeros").toEqual({ active: 0, waiting: 0, activeByGroup: {} });
  });

  test('[C7] groups named "", "default", "constructor", "__proto__", "toString" and "hasOwnProperty" are distinct groups, each with its own limit', async () => {
    const clock = new FakeClock();
    const groups = ["constructor", "__proto__", "toString", "hasOwnProperty", "", "default"];
    const limiter = createGroupLimiter({ maxActive: 20, maxPerGroup: 1 });
    const started: string[] = [];
    for (const round of [1, 2]) {
      for (const group of groups) {
        void limiter.run(group, async () => {
          started.push(`${JSON.stringify(group)}#${round}@${clock.now()}`);
          await clock.sleep(10);
        });
      }
    }
    await flushMicrotasks();
    expect(
      started.slice().sort(),
      'maxPerGroup 1, six groups with two tasks each: the first task of every group starts at t=0 (a group name is a key like any other: store counts in a Map, not a plain object, and never replace "" by a default)',
    ).toEqual(groups.map((g) => `${JSON.stringify(g)}#1@0`).sort());
    const stats = limiter.stats();
    expect(stats.active, "six tasks run at t=0").toBe(6);
    expect(stats.waiting, "six tasks wait for their group").toBe(6);
    expect(
      Object.entries(stats.activeByGroup).sort(([a], [b]) => (a < b ? -1 : 1)),
      "stats().activeByGroup lists each of the six groups with 1 running, as its own key",
    ).toEqual(groups.map((g) => [g, 1]).sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1)));
    await clock.runAll();
    await flushMicrotasks();
    expect(started.length, "every task of every group runs").toBe(12);
    expect(limiter.stats(), "and stats() ends at zero").toEqual({ active: 0, waiting: 0, activeByGroup: {} });
  });

  test("[C8][C9] stats() is an exact snapshot: editing or keeping it changes nothing in the limiter", async () => {
    const clock = new FakeClock();
    const limiter = createGroupLimiter({ maxActive: 3, maxPerGroup: 1 });
    const started: string[] = [];
    for (const name of ["a1", "a2", "b1"]) {
      void limiter.run(name[0]!, async () => {
        started.push(`${name}@${clock.now()}`);
        await clock.sleep(10);
      });
    }
    await flushMicrotasks();
    const first = limiter.stats();
    expect(first, "at t=0: a1 and b1 run, a2 waits for group a").toEqual({ active: 2, waiting: 1, activeByGroup: { a: 1, b: 1 } });
    const second = limiter.stats();
    expect(second === first || second.activeByGroup === first.activeByGroup, "each stats() call returns a new object").toBe(false);
    first.active = 0;
    first.waiting = 0;
    first.activeByGroup.a = 0;
    delete first.activeByGroup.b;
    void limiter.run("a", async () => {
      started.push(`a3@${clock.now()}`);
    });
    await flushMicrotasks();
    expect(started, "editing a stats() result must not free group a's slot: a2 and a3 still wait for a1").toEqual(["a1@0", "b1@0"]);
    await clock.advance(10);
    expect(second, "a stats() result kept from t=0 must not change when the limiter does").toEqual({ active: 2, waiting: 1, activeByGroup: { a: 1, b: 1 } });
    await clock.runAll();
    expect(started, "a2 then a3 run in order once a1 is done").toEqual(["a1@0", "b1@0", "a2@10", "a3@20"]);
  });

  test("[C5][C8] a busy tenant's backlog does not delay other tenants: with acme full, beta and gamma start at once", async () => {
    const clock = new FakeClock();
    const limiter = createGroupLimiter({ maxActive: 3, maxPerGroup: 1 });
    const started: string[] = [];
    const task = (name: string, ms: number) => async () => {
      started.push(`${name}@${clock.now()}`);
      await clock.sleep(ms);
    };
    for (let i = 1; i <= 4; i++) void limiter.run("acme", task(`acme-${i}`, 100));
    void limiter.run("beta", task("beta-1", 10));
    void limiter.run("gamma", task("gamma-1", 10));
    await flushMicrotasks();
    expect(started, "acme-2..4 wait for acme-1 (1 per group), but beta-1 and gamma-1 must start at t=0, not behind acme's backlog").toEqual(["acme-1@0", "beta-1@0", "gamma-1@0"]);
    expect(limiter.stats(), "stats() at t=0: three running (one per group), acme's three others waiting").toEqual({
      active: 3,
      waiting: 3,
      activeByGroup: { acme: 1, beta: 1, gamma: 1 },
    });
    await clock.advance(10);
    expect(limiter.stats(), "at t=10 beta and gamma are done; acme is still limited to 1 even though 2 global slots are free").toEqual({
      active: 1,
      waiting: 3,
      activeByGroup: { acme: 1 },
    });
    await clock.runAll();
    expect(started, "acme's tasks then run one after another, in order").toEqual(["acme-1@0", "beta-1@0", "gamma-1@0", "acme-2@100", "acme-3@200", "acme-4@300"]);
  });


  test("[C5] when a slot frees, the OLDEST waiting task whose group has room starts, whatever its group", async () => {
    const scenarios: Array<{ maxActive: number; maxPerGroup: number; tasks: Array<[string, number]>; want: string[]; why: string }> = [
      {
        maxActive: 1,
        maxPerGroup: 2,
        tasks: [["a1", 10], ["a2", 10], ["b1", 10], ["a3", 10], ["c1", 10]],
        want: ["a1@0", "a2@10", "b1@20", "a3@30", "c1@40"],
        why: "maxActive 1, every group has room: tasks start in the order run() was called, across groups (not group by group, not round-robin)",
      },
      {
        maxActive: 2,
        maxPerGroup: 1,
        tasks: [["a1", 30], ["b1", 10], ["a2", 10], ["c1", 10], ["b2", 10]],
        want: ["a1@0", "b1@0", "c1@10", "b2@20", "a2@30"],
        why: "maxActive 2, maxPerGroup 1: at t=10 a2 is oldest but group a is full, so c1 (older than b2) starts; b2 at t=20; a2 once a1 ends",
      },
    ];
    for (const { maxActive, maxPerGroup, tasks, want, why } of scenarios) {
      const clock = new FakeClock();
      const limiter = createGroupLimiter({ maxActive, maxPerGroup });
      const started: string[] = [];
      for (const [name, ms] of tasks) {
        void limiter.run(name[0]!, async () => {
          started.push(`${name}@${clock.now()}`);
          await clock.sleep(ms);
        });
      }
      await flushMicrotasks();
      await clock.runAll();
      await flushMicrotasks();
      expect(started, `${why}; keep ONE waiting list in submission order and start the first entry that fits`).toEqual(want);
    }
  });


  test("[C1][C3] the slot is released exactly once whether the task fulfils, rejects or throws synchronously", async () => {
    for (const failure of ["reject", "throw"] as const) {
      const clock = new FakeClock();
      const limiter = createGroupLimiter({ maxActive: 1, maxPerGroup: 1 });
      const boom = new Error(`boom (${failure})`);
      let running = 0;
      let most = 0;
      const startedNames: string[] = [];
      const ok = (name: string) => async () => {
        startedNames.push(name);
        most = Math.max(most, ++running);
        await clock.sleep(10);
        running--;
        return name;
      };
      const failing =
        failure === "throw"
          ? () => {
              startedNames.push("failing");
              throw boom;
            }
          : async () => {
              startedNames.push("failing");
              most = Math.max(most, ++running);
              await clock.sleep(10);
              running--;
              throw boom;
            };
      const results: string[] = [];
      const record = (label: string) => (p: Promise<unknown>) =>
        p.then(
          (v) => results.push(`${label} fulfilled ${String(v)}`),
          (e: unknown) => results.push(`${label} rejected ${e === boom ? "with the task's error" : String(e)}`),
        );
      record("first")(limiter.run("g", ok("first")));
      record("failing")(limiter.run("g", failing as () => Promise<string>));
      record("second")(limiter.run("g", ok("second")));
      record("third")(limiter.run("g", ok("third")));
      // run() may call the task at once or a microtask later: let pending callbacks run before looking at the clock.
      for (let i = 0; i < 20; i++) {
        await flushMicrotasks();
        if (clock.pendingTimers === 0) break;
        await clock.advance(clock.nextTimerAt! - clock.now());
        const stats = limiter.stats();
        expect(stats.active, `after a task that ${failure === "throw" ? "throws synchronously" : "rejects"}, stats().active went negative: a slot was released twice`).toBeGreaterThanOrEqual(0);
      }
      await flushMicrotasks();
      expect(most, `maxActive 1: after a task that ${failure === "throw" ? "throws synchronously" : "rejects"}, two tasks ran at once; release the slot once (in finally), not also in catch`).toBe(1);
      expect(startedNames, `maxActive 1: after a task that ${failure === "throw" ? "throws synchronously" : "rejects"}, the waiting tasks must still start; release the slot (the total and the group's count) in finally`).toEqual([
        "first",
        "failing",
        "second",
        "third",
      ]);
      // Different run() calls may settle in any order: compare as a set.
      expect(results.sort(), `every run() must settle like its task (${failure})`).toEqual([
        "first fulfilled first",
        "failing rejected with the task's error",
        "second fulfilled second",
        "third fulfilled third",
      ].sort());
      expect(limiter.stats(), `after all tasks end (${failure}), stats() must be back to zero`).toEqual({ active: 0, waiting: 0, activeByGroup: {} });
    }
  });


  test("[C1][C2][C3][C8] never more than maxActive tasks in total or maxPerGroup in one group; every task runs and settles like its task; stats() ends at zero", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            group: fc.constantFrom("acme", "beta", "gamma", "delta"),
            duration: fc.integer({ min: 1, max: 40 }),
            outcome: fc.constantFrom<Outcome>("ok", "ok", "ok", "reject", "throw"),
            submitAt: fc.integer({ min: 0, max: 60 }),
          }),
          { minLength: 1, maxLength: 24 },
        ),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        async (specs, maxActive, maxPerGroup) => {
          const r = await simulate(specs, maxActive, maxPerGroup);
          const where = `maxActive ${maxActive}, maxPerGroup ${maxPerGroup}, tasks [${describeSpecs(specs)}]`;
          expect(r.maxRunning, `${where}: more than maxActive tasks ran at once`).toBeLessThanOrEqual(maxActive);
          for (const [group, most] of r.maxRunningIn) {
            expect(most, `${where}: group ${group} had more than maxPerGroup tasks running at once`).toBeLessThanOrEqual(maxPerGroup);
          }
          const neverStarted = r.tracked.filter((t) => t.startedAt === undefined).map((t) => t.index);
          expect(neverStarted, `${where}: these tasks never started; is a slot leaked when a task rejects or throws?`).toEqual([]);
          for (const t of r.tracked) {
            const want = t.spec.outcome === "ok" ? { ok: true, value: `value ${t.index}` } : { ok: false, error: r.errors[t.index] };
            expect(t.settled, `${where}: run() for task ${t.index} (${t.spec.outcome}) must settle like the task: its value, or the very error it threw`).toEqual(want);
            if (!t.settled?.ok && t.settled) expect(t.settled.error, `task ${t.index}: reject with the task's own error object`).toBe(r.errors[t.index]);
          }
          expect(r.stats, `${where}: once everything has finished, stats() must show nothing active or waiting`).toEqual({ active: 0, waiting: 0, activeByGroup: {} });
        },
      ),
      { numRuns: 70 },
    );
  });


  test("[C5][C6] a waiting task never waits while its group and the limiter both have room (no head-of-line blocking, no idle slots)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            group: fc.constantFrom("acme", "acme", "acme", "beta", "gamma"),
            duration: fc.integer({ min: 1, max: 40 }),
            outcome: fc.constantFrom<Outcome>("ok", "ok", "reject"),
            submitAt: fc.integer({ min: 0, max: 30 }),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 1, max: 2 }),
        async (specs, maxActive, maxPerGroup) => {
          const r = await simulate(specs, maxActive, maxPerGroup);
          expect(r.idleProblems.slice(0, 3), `maxActive ${maxActive}, maxPerGroup ${maxPerGroup}, tasks [${describeSpecs(specs)}]`).toEqual([]);
        },
      ),
      { numRuns: 70 },
    );
  });


  test("[C4] tasks of one group start in the order run() was called", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            group: fc.constantFrom("acme", "beta"),
            duration: fc.integer({ min: 1, max: 30 }),
            outcome: fc.constantFrom<Outcome>("ok", "reject"),
            submitAt: fc.integer({ min: 0, max: 20 }),
          }),
          { minLength: 2, maxLength: 16 },
        ),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2 }),
        async (specs, maxActive, maxPerGroup) => {
          const r = await simulate(specs, maxActive, maxPerGroup);
          for (const group of ["acme", "beta"]) {
            // Submission order: by submitAt, ties in array order (timers at one instant fire in the order set).
            const submittedOrder = r.tracked
              .filter((t) => t.spec.group === group)
              .sort((a, b) => a.spec.submitAt - b.spec.submitAt || a.index - b.index)
              .map((t) => t.index);
            const startOrder = r.tracked
              .filter((t) => t.spec.group === group && t.startedAt !== undefined)
              .sort((a, b) => a.startedAt! - b.startedAt! || submittedOrder.indexOf(a.index) - submittedOrder.indexOf(b.index))
              .map((t) => t.index);
            const startTimes = submittedOrder.map((i) => r.tracked[i]!.startedAt);
            const sorted = [...startTimes].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
            expect(
              startTimes,
              `maxActive ${maxActive}, maxPerGroup ${maxPerGroup}, tasks [${describeSpecs(specs)}]: in group ${group}, tasks submitted in order ${submittedOrder.join(",")} started in order ${startOrder.join(",")}; a group is FIFO`,
            ).toEqual(sorted);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
