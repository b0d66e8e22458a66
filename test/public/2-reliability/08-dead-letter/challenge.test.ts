// Public tests for dead-letter: worked examples of the contract in the stub's
// doc comments. The hidden tests check every clause, edge cases included.
import { expect, test } from "vitest";
import { FakeClock } from "#kit/clock.ts";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/2-reliability/08-dead-letter/challenge.ts");
const { Queues } = await loadCandidate<Challenge>(import.meta.url);

test("[C8, C9] example: a job that fails every try ends in the DLQ with its last error", () => {
  const clock = new FakeClock(1000);
  const queues = new Queues({ clock });
  const job = queues.add("emails", { to: "a@example.com" }, { maxAttempts: 2 });
  queues.take("emails");
  expect(queues.fail(job.id, new Error("SMTP timeout"))).toBe("retry");
  queues.take("emails");
  expect(queues.fail(job.id, new Error("mailbox full"))).toBe("dead");
  const page = queues.deadLetters();
  expect(page.total).toBe(1);
  expect(page.items[0]).toMatchObject({ id: job.id, queue: "emails", data: { to: "a@example.com" }, attempts: 2, reason: "mailbox full", failedAt: 1000 });
});

test("[C14, C15] example: an admin retry puts the job back once, however many clicks", async () => {
  const queues = new Queues({ clock: new FakeClock() });
  const job = queues.add("emails", "hello", { maxAttempts: 1 });
  queues.take("emails");
  queues.fail(job.id, "boom");
  const [first, second] = await Promise.all([queues.retry(job.id), queues.retry(job.id)]);
  expect([first, second].filter((result) => result !== null)).toHaveLength(1);
  expect(queues.waiting("emails").map((waiting) => waiting.id)).toEqual([job.id]);
  expect(queues.get(job.id)).toMatchObject({ state: "waiting", attempts: 0 });
  expect(queues.deadLetters().total).toBe(0);
});

test("[C6, C16] example: completing a job that is not active throws; retrying an unknown id gives null", async () => {
  const queues = new Queues({ clock: new FakeClock() });
  const job = queues.add("reports", 1);
  expect(() => queues.complete(job.id)).toThrow();
  await expect(queues.retry("no-such-job")).resolves.toBeNull();
});
