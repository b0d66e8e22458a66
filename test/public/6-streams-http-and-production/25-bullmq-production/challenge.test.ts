// Public tests for bullmq-production: worked examples of the contract in the
// stub's doc comments. The hidden tests check every clause, on a real Redis too.
import { expect, test } from "vitest";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/6-streams-http-and-production/25-bullmq-production/challenge.ts");
const { toBullMQ, BULLMQ_PRIORITY_MAX } = await loadCandidate<Challenge>(import.meta.url);

test("[C1, C2] example: higher portable priority, lower BullMQ number, never 0", () => {
  const urgent = toBullMQ({ priority: 10 }).opts.priority!;
  const normal = toBullMQ({}).opts.priority!;
  expect(urgent).toBeLessThan(normal);
  for (const priority of [urgent, normal]) {
    expect(priority).toBeGreaterThanOrEqual(1);
    expect(priority).toBeLessThanOrEqual(BULLMQ_PRIORITY_MAX);
  }
});

test("[C4, C5, C6, C7] example: retries, backoff, start delay and timeout in BullMQ's units", () => {
  const plan = toBullMQ({ retryLimit: 2, retryDelay: 0.5, retryBackoff: true, startAfterSeconds: 3, expireInSeconds: 30 });
  expect(plan.opts.attempts).toBe(3);
  expect(plan.opts.backoff).toEqual({ type: "exponential", delay: 500 });
  expect(plan.opts.delay).toBe(3000);
  expect(plan.timeoutMs).toBe(30_000);
});

test("[C5] example: retryBackoff without a retryDelay waits 1 second", () => {
  expect(toBullMQ({ retryLimit: 1, retryBackoff: true }).opts.backoff).toEqual({ type: "exponential", delay: 1000 });
});
