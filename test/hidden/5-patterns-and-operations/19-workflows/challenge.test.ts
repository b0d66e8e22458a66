// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { createRandom } from "#kit/random.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/5-patterns-and-operations/19-workflows/challenge.ts");
type FlowJob = import("../../../../lessons/5-patterns-and-operations/19-workflows/challenge.ts").FlowJob;
type FlowRunner = import("../../../../lessons/5-patterns-and-operations/19-workflows/challenge.ts").FlowRunner;
const { createFlowRunner } = await loadCandidate<Challenge>(import.meta.url);

/** Lets every promise continuation already queued run, then the ones they queue, and so on. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Call {
  name: string;
  attempt: number;
  /** This call's number for its job, counted by the test (1-based). */
  n: number;
  childrenValues: Record<string, unknown>;
  /** States of the job's children, read from the runner at the moment of the call. */
  childStates: Record<string, string | undefined>;
  settle: (ok: boolean) => void;
  /** Resolves with `value`, or rejects with `error` when `error` is given. */
  settleWith: (outcome: { value?: unknown; error?: unknown }) => void;
}

/**
 * A runner whose processor calls stay pending until the test settles them, so the
 * test decides which jobs finish, in which order and which ones together.
 */
function harness(childrenOf: Map<string, string[]>, concurrency?: number) {
  const pending: Call[] = [];
  const calls: Call[] = [];
  const counts = new Map<string, number>();
  let runner!: FlowRunner;
  runner = createFlowRunner({
    concurrency,
    processor: (job) =>
      new Promise((resolve, reject) => {
        const n = (counts.get(job.name) ?? 0) + 1;
        counts.set(job.name, n);
        const childStates: Record<string, string | undefined> = {};
        for (const child of childrenOf.get(job.name) ?? []) childStates[child] = runner.getJob(child)?.state;
        const call: Call = {
          name: job.name,
          attempt: job.attempt,
          n,
          childrenValues: { ...job.childrenValues },
          childStates,
          settle: (ok) => (ok ? resolve(`${job.name}#${n}`) : reject(new Error(`${job.name} attempt ${n} failed`))),
          settleWith: (outcome) => ("error" in outcome ? reject(outcome.error) : resolve(outcome.value)),
        };
        calls.push(call);
        pending.push(call);
      }),
  });
  const callsOf = (name: string) => calls.filter((c) => c.name === name);
  /** Settles the named pending calls together (same tick), then lets the runner react. */
  async function finish(names: string[], ok: boolean | { value?: unknown; error?: unknown } = true): Promise<void> {
    for (const name of names) {
      const index = pending.findIndex((c) => c.name === name);
      expect(index, `expected "${name}" to be running (its processor called and not yet settled)`).toBeGreaterThanOrEqual(0);
      const call = pending.splice(index, 1)[0]!;
      if (typeof ok === "boolean") call.settle(ok);
      else call.settleWith(ok);
    }
    await flush();
  }
  return { runner, pending, calls, callsOf, finish };
}

function childMap(flow: FlowJob, map = new Map<string, string[]>()): Map<string, string[]> {
  map.set(flow.name, (flow.children ?? []).map((c) => c.name));
  for (const child of flow.children ?? []) childMap(child, map);
  return map;
}

describe("a parent and its children", () => {
  test("[C1][C6][C7][C9] the parent does not run until every child has completed", async () => {
    const flow: FlowJob = { name: "invoice", children: [{ name: "lines" }, { name: "tax" }, { name: "discounts" }] };
    const h = harness(childMap(flow));
    h.runner.add(flow);
    await flush();
    expect(h.runner.getJob("invoice")?.state, "a parent with unfinished children is in waiting-children").toBe("waiting-children");
    await h.finish(["tax"]);
    await h.finish(["lines"]);
    expect(h.callsOf("invoice").length, "the parent must not run while a child (discounts) is still running").toBe(0);
    expect(h.runner.getJob("invoice")?.state, "still waiting-children with one child left").toBe("waiting-children");
    await h.finish(["discounts"]);
    expect(h.callsOf("invoice").length, "the parent runs once the last child completed").toBe(1);
    expect(h.callsOf("invoice")[0]!.childrenValues, "the parent gets every child's return value by name").toEqual({
      lines: "lines#1",
      tax: "tax#1",
      discounts: "discounts#1",
    });
    await h.finish(["invoice"]);
    expect(h.runner.getJob("invoice")?.state, "the parent completes when its processor resolves").toBe("completed");
    expect(h.runner.getJob("invoice")?.returnValue, "returnValue holds what the processor resolved with").toBe("invoice#1");
  });

  test("[C7] two children finishing in the same tick release the parent exactly once", async () => {
    const flow: FlowJob = { name: "parent", children: [{ name: "a" }, { name: "b" }, { name: "c" }] };
    const h = harness(childMap(flow));
    h.runner.add(flow);
    await flush();
    await h.finish(["a"]);
    await h.finish(["b", "c"]); // settled synchronously, one after the other
    await flush();
    expect(h.callsOf("parent").length, "b and c completed in the same tick: the parent must run exactly once, not twice").toBe(1);
    await h.finish(["parent"]);
    await flush();
    expect(h.callsOf("parent").length, "a completed parent never runs again").toBe(1);
  });

  test("[C6][C8][C9] a child that fails and is retried holds the parent back until it finally completes", async () => {
    const flow: FlowJob = { name: "parent", children: [{ name: "flaky", attempts: 3 }, { name: "steady" }] };
    const h = harness(childMap(flow));
    h.runner.add(flow);
    await flush();
    await h.finish(["steady"]);
    await h.finish(["flaky"], false);
    expect(h.callsOf("parent").length, "a failed attempt is not a completion: the parent must keep waiting").toBe(0);
    await h.finish(["flaky"], false);
    expect(h.callsOf("flaky").map((c) => c.attempt), "the processor sees attempt numbers 1, 2, 3").toEqual([1, 2, 3]);
    await h.finish(["flaky"]);
    expect(h.callsOf("parent").length, "the third attempt completed: now the parent runs, once").toBe(1);
    expect(h.callsOf("parent")[0]!.childrenValues, "the parent sees the value of the attempt that completed").toEqual({
      flaky: "flaky#3",
      steady: "steady#1",
    });
  });
});

describe("failures", () => {
  test("[C10] failParentOnFailure: a child failing for good fails the parent, which never runs", async () => {
    const flow: FlowJob = {
      name: "report",
      children: [{ name: "fetch", attempts: 2, failParentOnFailure: true }, { name: "slow" }],
    };
    const h = harness(childMap(flow));
    h.runner.add(flow);
    await flush();
    await h.finish(["fetch"], false);
    await h.finish(["fetch"], false);
    expect(h.runner.getJob("fetch")?.state, "fetch used both attempts and failed").toBe("failed");
    expect(h.runner.getJob("report")?.state, "failParentOnFailure: the parent must be failed as soon as the child fails for good").toBe("failed");
    expect(h.runner.getJob("report")?.failedReason ?? "", "the parent's failedReason must name the child").toContain("fetch");
    await h.finish(["slow"]);
    await flush();
    expect(h.callsOf("report").length, "a failed parent must never run, even after its other children complete").toBe(0);
    expect(h.runner.getJob("report")?.state, "the parent stays failed").toBe("failed");
  });

  test("[C11] without failParentOnFailure, a failed child leaves the parent waiting-children forever", async () => {
    const flow: FlowJob = { name: "report", children: [{ name: "fetch" }, { name: "other" }] };
    const h = harness(childMap(flow));
    h.runner.add(flow);
    await flush();
    await h.finish(["fetch"], false);
    await h.finish(["other"]);
    await flush();
    expect(h.runner.getJob("fetch")?.state, "fetch had 1 attempt and failed").toBe("failed");
    expect(h.runner.getJob("report")?.state, "the parent keeps waiting for a child that will never complete").toBe("waiting-children");
    expect(h.callsOf("report").length, "the parent must not run without all of its children's results").toBe(0);
  });

  test("[C10] failParentOnFailure carries a failure up through every level that sets it", async () => {
    const flow: FlowJob = {
      name: "root",
      children: [
        {
          name: "middle",
          failParentOnFailure: true,
          children: [{ name: "leaf", failParentOnFailure: true }, { name: "sibling" }],
        },
        { name: "other" },
      ],
    };
    const h = harness(childMap(flow));
    h.runner.add(flow);
    await flush();
    await h.finish(["leaf"], false);
    expect(h.runner.getJob("middle")?.state, "leaf failed with failParentOnFailure: middle fails").toBe("failed");
    expect(h.runner.getJob("root")?.state, "middle failed with failParentOnFailure: root fails too").toBe("failed");
    await h.finish(["sibling", "other"]);
    await flush();
    expect(h.callsOf("middle").length + h.callsOf("root").length, "failed parents never run").toBe(0);
  });
});

describe("values, reasons and snapshots", () => {
  test("[C10] the parent's failedReason names the child that failed, whatever the child's error says", async () => {
    const flow: FlowJob = { name: "report", children: [{ name: "fetch-prices", failParentOnFailure: true }, { name: "other" }] };
    const h = harness(childMap(flow));
    h.runner.add(flow);
    await flush();
    await h.finish(["fetch-prices"], { error: new Error("connection reset") });
    expect(h.runner.getJob("fetch-prices")?.failedReason, "the child's own failedReason is its error's message").toBe("connection reset");
    expect(h.runner.getJob("report")?.state, "failParentOnFailure: the parent fails at once").toBe("failed");
    expect(h.runner.getJob("report")?.failedReason ?? "", "the parent's failedReason must say WHICH child failed (its name), not only repeat the child's error").toContain("fetch-prices");
  });

  test("[C9] a job that fails for good with a thrown string or other value keeps it as its failedReason", async () => {
    const h = harness(new Map());
    for (const name of ["by-string", "by-number", "by-error"]) h.runner.add({ name });
    await flush();
    await h.finish(["by-string"], { error: "disk full" });
    await h.finish(["by-number"], { error: 404 });
    await h.finish(["by-error"], { error: new TypeError("bad input") });
    expect(h.runner.getJob("by-string")?.failedReason, "a processor that throws a string fails with that string as its reason (an Error has .message, a string does not)").toBe("disk full");
    expect(h.runner.getJob("by-number")?.failedReason, "a thrown value that is not an Error becomes String(value)").toBe("404");
    expect(h.runner.getJob("by-error")?.failedReason, "an Error's reason is its message").toBe("bad input");
  });

  test("[C9] only a real Error gives its message; any other thrown value, even an object with a message property, becomes String(value)", async () => {
    const h = harness(new Map());
    const names = ["plain-object", "empty-error", "thrown-null", "thrown-undefined"];
    for (const name of names) h.runner.add({ name });
    await flush();
    const lookalike = { message: "looks like an Error", toString: () => "custom text" };
    await h.finish(["plain-object"], { error: lookalike });
    await h.finish(["empty-error"], { error: new Error("") });
    await h.finish(["thrown-null"], { error: null });
    await h.finish(["thrown-undefined"], { error: undefined });
    expect(h.runner.getJob("plain-object")?.failedReason, "a thrown plain object is not an Error: its reason is String(value), whatever properties it has").toBe("custom text");
    expect(h.runner.getJob("empty-error")?.failedReason, "a thrown Error's reason is its message, even when that message is the empty string").toBe("");
    expect(h.runner.getJob("thrown-null")?.failedReason, "a thrown null becomes String(null)").toBe("null");
    expect(h.runner.getJob("thrown-undefined")?.failedReason, "a thrown undefined becomes String(undefined)").toBe("undefined");
  });

  test("[C7] every child's value reaches the parent, 0, empty string, false, null and undefined included", async () => {
    const values: Record<string, unknown> = { zero: 0, empty: "", no: false, nothing: null, missing: undefined };
    const flow: FlowJob = { name: "parent", children: Object.keys(values).map((name) => ({ name })) };
    const h = harness(childMap(flow));
    h.runner.add(flow);
    await flush();
    for (const [name, value] of Object.entries(values)) await h.finish([name], { value });
    expect(h.callsOf("parent").length, "every child completed (whatever it returned): the parent runs").toBe(1);
    const got = h.callsOf("parent")[0]!.childrenValues;
    expect(Object.keys(got).sort(), "childrenValues has one entry per child, also for children that returned a falsy value").toEqual(Object.keys(values).sort());
    for (const [name, value] of Object.entries(values)) {
      expect(Object.is(got[name], value), `childrenValues.${name} must be exactly what the child returned (${String(value)})`).toBe(true);
    }
    expect(h.runner.getJob("zero")?.returnValue, "returnValue is the resolved value, also 0").toBe(0);
  });

  test("[C4] getJob() returns a snapshot: editing it changes nothing inside the runner", async () => {
    const flow: FlowJob = { name: "parent", children: [{ name: "a" }, { name: "b" }] };
    const h = harness(childMap(flow));
    h.runner.add(flow);
    await flush();
    const view = h.runner.getJob("parent")!;
    const before = { ...view };
    (view as { state: string }).state = "completed";
    (view as { attemptsMade: number }).attemptsMade = 99;
    expect(h.runner.getJob("parent")?.state, "editing the object getJob() returned must not change the job").toBe("waiting-children");
    expect(h.runner.getJob("parent")?.attemptsMade, "editing the object getJob() returned must not change the job").toBe(0);
    const a = h.runner.getJob("a")!;
    await h.finish(["a", "b"]);
    expect(a.state, "a snapshot taken while the job ran does not change when the job completes later").toBe("active");
    expect(h.callsOf("parent").length, "the parent runs once its children completed, whatever a caller did to a snapshot").toBe(1);
    expect(before.state, "(the snapshot said waiting-children when it was taken)").toBe("waiting-children");
  });
});

describe("adding flows", () => {
  test("[C5] waiting jobs start oldest first when the concurrency limit is reached", async () => {
    const h = harness(new Map(), 1);
    for (const name of ["a", "b", "c"]) h.runner.add({ name });
    await flush();
    await h.finish(["a"]);
    await h.finish(["b"]);
    await h.finish(["c"]);
    expect(h.calls.map((c) => c.name), "with concurrency 1, jobs that were waiting must start in the order they became waiting").toEqual(["a", "b", "c"]);
  });


  test("[C5] a retried job goes to the back of the line, behind the jobs already waiting", async () => {
    const h = harness(new Map(), 1);
    h.runner.add({ name: "flaky", attempts: 2 });
    for (const name of ["b", "c"]) h.runner.add({ name });
    await flush();
    await h.finish(["flaky"], false);
    await h.finish(["b"]);
    await h.finish(["c"]);
    await h.finish(["flaky"]);
    expect(h.calls.map((c) => c.name), "with concurrency 1, flaky's retry must wait behind b and c, which were waiting before it failed").toEqual(["flaky", "b", "c", "flaky"]);
  });

  test("[C3] names like constructor, toString and __proto__ are names like the others", async () => {
    const h0 = harness(new Map());
    expect(h0.runner.getJob("constructor"), "a fresh runner has no job called constructor").toBeUndefined();
    expect(h0.runner.getJob("toString"), "a fresh runner has no job called toString").toBeUndefined();
    const flow: FlowJob = { name: "hasOwnProperty", children: [{ name: "constructor" }, { name: "toString" }, { name: "__proto__" }] };
    const h = harness(childMap(flow));
    expect(() => h.runner.add(flow), "names that are also properties of Object.prototype are not 'already used'").not.toThrow();
    await flush();
    expect(h.runner.getJob("constructor")?.state, "the job named constructor is running").toBe("active");
    await h.finish(["constructor", "toString", "__proto__"]);
    expect(h.callsOf("hasOwnProperty").length, "all three children completed: the parent runs").toBe(1);
    const got = h.callsOf("hasOwnProperty")[0]!.childrenValues;
    expect(Object.keys(got).sort(), "childrenValues has an own entry for each child, __proto__ included").toEqual(["__proto__", "constructor", "toString"]);
    expect(h.runner.getJob("__proto__")?.returnValue, "getJob(\"__proto__\") finds that job").toBe("__proto__#1");
    expect(h.runner.getJob("valueOf"), "a name never added is undefined, even one Object.prototype has").toBeUndefined();
  });

  test("[C2] a repeated job name is rejected and nothing of that flow is added", async () => {
    const h = harness(new Map());
    h.runner.add({ name: "a" });
    expect(() => h.runner.add({ name: "p", children: [{ name: "a" }] }), "a name already used must throw").toThrow();
    expect(() => h.runner.add({ name: "q", children: [{ name: "x" }, { name: "x" }] }), "a name repeated inside one flow must throw").toThrow();
    await flush();
    expect(h.runner.getJob("p"), "a rejected flow must add nothing").toBeUndefined();
    expect(h.runner.getJob("q"), "a rejected flow must add nothing").toBeUndefined();
    expect(h.callsOf("x").length, "a rejected flow must run nothing").toBe(0);
  });
});

describe("any order, any timing", () => {
  interface Plan {
    attempts: number;
    failures: number;
    fpof: boolean;
  }
  const planArb = fc.record({
    attempts: fc.integer({ min: 1, max: 3 }),
    failures: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 2 }),
    fpof: fc.boolean(),
  });
  const treeArb = fc.array(fc.record({ plan: planArb, children: fc.array(planArb, { maxLength: 3 }) }), {
    minLength: 1,
    maxLength: 4,
  });

  test("[C5][C6][C7][C8][C9][C10][C11] parents run exactly once, after all children completed, with all their values; failures follow the options", async () => {
    await fc.assert(
      fc.asyncProperty(treeArb, fc.constantFrom(1, 2, 3, undefined), fc.integer(), async (tree, concurrency, seed) => {
        const plans = new Map<string, Plan>([["root", { attempts: 1, failures: 0, fpof: false }]]);
        const flow: FlowJob = {
          name: "root",
          children: tree.map((child, i) => {
            plans.set(`c${i}`, child.plan);
            return {
              name: `c${i}`,
              attempts: child.plan.attempts,
              failParentOnFailure: child.plan.fpof,
              children: child.children.map((grand, j) => {
                plans.set(`c${i}g${j}`, grand);
                return { name: `c${i}g${j}`, attempts: grand.attempts, failParentOnFailure: grand.fpof };
              }),
            };
          }),
        };
        const children = childMap(flow);

        // What must happen, from the plans alone.
        type Outcome = { state: string; calls: number };
        const expected = new Map<string, Outcome>();
        const model = (name: string): Outcome => {
          const plan = plans.get(name)!;
          const kids = (children.get(name) ?? []).map((kid) => [kid, model(kid)] as const);
          let outcome: Outcome;
          if (kids.some(([kid, o]) => o.state === "failed" && plans.get(kid)!.fpof)) outcome = { state: "failed", calls: 0 };
          else if (kids.some(([, o]) => o.state !== "completed")) outcome = { state: "waiting-children", calls: 0 };
          else if (plan.failures >= plan.attempts) outcome = { state: "failed", calls: plan.attempts };
          else outcome = { state: "completed", calls: plan.failures + 1 };
          expected.set(name, outcome);
          return outcome;
        };
        model("root");

        const h = harness(children, concurrency);
        const random = createRandom(seed);
        let inFlightMax = 0;
        h.runner.add(flow);
        await flush();
        for (let round = 0; h.pending.length > 0; round++) {
          // Asserted only when it fails: expect() in a hot loop costs more than the flow.
          if (round >= 200) expect.fail("the flow should settle within 200 rounds");
          inFlightMax = Math.max(inFlightMax, h.pending.length);
          // Settle a random non-empty batch in one tick: some succeed, some fail, per plan.
          const batch = h.pending.filter(() => random() < 0.5);
          if (batch.length === 0) batch.push(h.pending[Math.floor(random() * h.pending.length)]!);
          for (const call of batch) {
            h.pending.splice(h.pending.indexOf(call), 1);
            call.settle(call.n > plans.get(call.name)!.failures);
          }
          await flush();
          await flush();
        }

        // Each check calls expect() only when it fails, as in the loop above.
        for (const [name, outcome] of expected) {
          const made = h.callsOf(name);
          const state = h.runner.getJob(name)?.state;
          if (state !== outcome.state) expect(state, `job ${name}: final state`).toBe(outcome.state);
          if (made.length !== outcome.calls) {
            expect(made.length, `job ${name}: number of processor calls (a parent must run exactly once when its children complete)`).toBe(outcome.calls);
          }
          made.forEach((call, k) => {
            if (call.attempt !== k + 1) expect(call.attempt, `job ${name}: call #${k + 1} must get attempt ${k + 1}`).toBe(k + 1);
          });
          for (const call of made) {
            for (const [kid, state] of Object.entries(call.childStates)) {
              if (state !== "completed") expect(state, `job ${name} ran while its child ${kid} was "${state}": a parent runs only after all children completed`).toBe("completed");
            }
            const values = Object.fromEntries((children.get(name) ?? []).map((kid) => [kid, `${kid}#${plans.get(kid)!.failures + 1}`]));
            if (!isDeepStrictEqual(call.childrenValues, values)) {
              expect(call.childrenValues, `job ${name}: childrenValues must hold each child's completed value`).toEqual(values);
            }
          }
        }
        if (concurrency !== undefined) {
          expect(inFlightMax, `never more than concurrency (${concurrency}) processor calls in flight`).toBeLessThanOrEqual(concurrency);
        }
      }),
      { numRuns: 100 },
    );
  });
});
