// Public tests for workflows: worked examples of the contract in the stub's
// doc comments. The hidden tests check every clause.
import { expect, test } from "vitest";
import { flushMicrotasks } from "#kit/clock.ts";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/5-patterns-and-operations/19-workflows/challenge.ts");
const { createFlowRunner } = await loadCandidate<Challenge>(import.meta.url);

const settle = async () => {
  for (let i = 0; i < 10; i++) await flushMicrotasks();
};

test("[C1, C6, C7] example: the parent runs once, after its children, with their results", async () => {
  const calls: string[] = [];
  const runner = createFlowRunner({
    processor: async (job) => {
      calls.push(job.name);
      return job.name === "invoice" ? job.childrenValues : `${job.name} done`;
    },
  });
  runner.add({ name: "invoice", children: [{ name: "charge" }, { name: "email" }] });
  expect(runner.getJob("invoice")?.state).toBe("waiting-children");
  await settle();
  expect(calls.at(-1)).toBe("invoice");
  expect(runner.getJob("invoice")).toMatchObject({ state: "completed", returnValue: { charge: "charge done", email: "email done" } });
});

test("[C9] example: a job with attempts left is retried; the last error is its failedReason", async () => {
  const runner = createFlowRunner({ processor: async () => { throw new Error("upstream down"); } });
  runner.add({ name: "sync", attempts: 2 });
  await settle();
  expect(runner.getJob("sync")).toMatchObject({ state: "failed", attemptsMade: 2, failedReason: "upstream down" });
});

test("[C2, C10] example: a repeated name is refused; a failed child with failParentOnFailure fails its parent", async () => {
  const runner = createFlowRunner({ processor: async (job) => { if (job.name === "bad") throw new Error("no"); } });
  runner.add({ name: "parent", children: [{ name: "bad", failParentOnFailure: true }] });
  expect(() => runner.add({ name: "parent" })).toThrow();
  await settle();
  expect(runner.getJob("parent")?.state).toBe("failed");
  expect(runner.getJob("parent")?.failedReason).toContain("bad");
});
