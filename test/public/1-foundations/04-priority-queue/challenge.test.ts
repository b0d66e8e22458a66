// Public tests for priority-queue: worked examples of the contract in the
// stub's doc comments. The hidden tests check every clause, edge cases included.
import { expect, test } from "vitest";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/1-foundations/04-priority-queue/challenge.ts");
const { PriorityQueue } = await loadCandidate<Challenge>(import.meta.url);

test("[C6] example: the lowest number first, equal priorities first in first out", () => {
  const queue = new PriorityQueue<string>();
  queue.enqueue("report", 5);
  queue.enqueue("email-1", 1);
  queue.enqueue("email-2", 1);
  queue.enqueue("cleanup", 10);
  expect([queue.dequeue(), queue.dequeue(), queue.dequeue(), queue.dequeue()]).toEqual(["email-1", "email-2", "report", "cleanup"]);
});

test("[C1, C3] example: no priority means the default, and 0 is a real priority", () => {
  const queue = new PriorityQueue<string>({ defaultPriority: 3 });
  queue.enqueue("default");
  queue.enqueue("zero", 0);
  expect(queue.peek()).toBe("zero");
  expect(queue.size).toBe(2);
});

test("[C4, C7] example: a bad priority throws a RangeError; an empty queue answers undefined", () => {
  const queue = new PriorityQueue<number>();
  expect(() => queue.enqueue(1, 1.5)).toThrow(RangeError);
  expect(queue.size).toBe(0);
  expect(queue.dequeue()).toBeUndefined();
});
