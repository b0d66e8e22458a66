import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { createRandom, randomInt } from "#kit/random.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/1-foundations/04-priority-queue/challenge.ts");
const { PriorityQueue } = await loadCandidate<Challenge>(import.meta.url);

type Job = { id: number; priority: number };

/** The specification as a model: a stable sort by priority, lower first. */
function stableOrder(jobs: Job[]): number[] {
  return jobs
    .map((job, index) => ({ ...job, index }))
    .sort((a, b) => a.priority - b.priority || a.index - b.index)
    .map((job) => job.id);
}

function drain<T>(queue: { dequeue(): T | undefined; size: number }): T[] {
  const out: T[] = [];
  // Bounded so a queue that never empties fails instead of looping forever.
  for (let i = 0; i < 100_000 && queue.size > 0; i++) out.push(queue.dequeue() as T);
  return out;
}

describe("order", () => {
  test("a lower priority number is dequeued first", () => {
    const queue = new PriorityQueue<string>();
    queue.enqueue("pink", 10);
    queue.enqueue("brown", 5);
    queue.enqueue("blue", 7);
    expect(drain(queue), "lower number wins (BullMQ/graphile-worker/River/Oban): 5, then 7, then 10").toEqual([
      "brown",
      "blue",
      "pink",
    ]);
  });

  test("items of equal priority come out first in, first out", () => {
    const queue = new PriorityQueue<string>();
    for (let i = 1; i <= 9; i++) queue.enqueue(`email-${i}`, 3);
    expect(drain(queue), "nine jobs of the same priority must leave in the order they arrived").toEqual(
      Array.from({ length: 9 }, (_, i) => `email-${i + 1}`),
    );
  });

  test("negative priorities are allowed and run before 0", () => {
    const queue = new PriorityQueue<string>();
    queue.enqueue("normal", 0);
    queue.enqueue("urgent", -5);
    queue.enqueue("less-urgent", -1);
    expect(drain(queue), "graphile-worker allows negative priorities: -5, then -1, then 0").toEqual([
      "urgent",
      "less-urgent",
      "normal",
    ]);
  });

  test("dequeue order equals a stable sort of the inputs by priority", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 120 }), (priorities) => {
        const queue = new PriorityQueue<number>();
        const jobs = priorities.map((priority, id) => ({ id, priority }));
        for (const job of jobs) queue.enqueue(job.id, job.priority);
        expect(drain(queue), "all enqueued, then all dequeued: must equal a stable sort by priority (lower first, ties by arrival)").toEqual(
          stableOrder(jobs),
        );
      }),
      { numRuns: 200 },
    );
  });

  test("interleaved enqueues and dequeues always return the most urgent, oldest item", () => {
    type Op = { kind: "enqueue"; priority: number } | { kind: "dequeue" };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 4 }).map((priority): Op => ({ kind: "enqueue", priority })) },
      { weight: 2, arbitrary: fc.constant<Op>({ kind: "dequeue" }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
        const queue = new PriorityQueue<number>();
        const model: Job[] = [];
        let nextId = 0;
        for (const o of ops) {
          if (o.kind === "enqueue") {
            const id = nextId++;
            queue.enqueue(id, o.priority);
            model.push({ id, priority: o.priority });
          } else {
            let best = -1;
            model.forEach((job, i) => {
              if (best === -1 || job.priority < model[best]!.priority) best = i;
            });
            const expected = best === -1 ? undefined : model.splice(best, 1)[0]!.id;
            const got = queue.dequeue();
            // expect() only on a mismatch: in this loop it would cost more than the queue.
            if (got !== expected) expect(got, "after any mix of enqueues and dequeues, dequeue must return the lowest priority, oldest first (undefined when empty)").toBe(expected);
          }
          if (queue.size !== model.length) expect(queue.size, "size must equal the number of items enqueued and not yet dequeued").toBe(model.length);
        }
      }),
      { numRuns: 200 },
    );
  });

  test("priorities anywhere in the safe-integer range keep their order and their ties", () => {
    const extremes = [Number.MIN_SAFE_INTEGER, -(2 ** 40), -1, 0, 1, 2 ** 40, Number.MAX_SAFE_INTEGER];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...extremes), { maxLength: 40 }), (priorities) => {
        const queue = new PriorityQueue<number>();
        const jobs = priorities.map((priority, id) => ({ id, priority }));
        for (const job of jobs) queue.enqueue(job.id, job.priority);
        expect(drain(queue), "huge and very negative priorities must still sort lower-first with ties by arrival: compare (priority, seq) as two keys; packing them into one number (priority * 2^32 + seq) loses the tie-break past 2^21").toEqual(
          stableOrder(jobs),
        );
      }),
      { numRuns: 100 },
    );
  });

  test("order stays correct with thousands of items", () => {
    const random = createRandom(7);
    const queue = new PriorityQueue<number>();
    const jobs: Job[] = [];
    for (let id = 0; id < 3000; id++) {
      const job = { id, priority: randomInt(random, 0, 20) };
      jobs.push(job);
      queue.enqueue(job.id, job.priority);
    }
    const out = drain(queue);
    const expected = stableOrder(jobs);
    const firstWrong = out.findIndex((id, i) => id !== expected[i]);
    expect(firstWrong, `with 3000 items the order first goes wrong at position ${firstWrong} (a sift-up/sift-down bug shows only on deeper heaps)`).toBe(-1);
    expect(out.length, "every one of the 3000 items must come out exactly once").toBe(3000);
  });
});

describe("default priority", () => {
  test("an item enqueued without a priority gets priority 0 by default", () => {
    const queue = new PriorityQueue<string>();
    queue.enqueue("low", 1);
    queue.enqueue("plain");
    queue.enqueue("high", -1);
    expect(drain(queue), "with no defaultPriority option, enqueue(item) means priority 0: -1, then 0, then 1").toEqual([
      "high",
      "plain",
      "low",
    ]);
  });

  test("an item enqueued without a priority gets the queue's defaultPriority", () => {
    const queue = new PriorityQueue<string>({ defaultPriority: 5 });
    queue.enqueue("bulk", 9);
    queue.enqueue("plain");
    queue.enqueue("explicit-undefined", undefined);
    queue.enqueue("alert", 1);
    expect(drain(queue), "defaultPriority 5 must sit between 1 and 9, ties by arrival").toEqual([
      "alert",
      "plain",
      "explicit-undefined",
      "bulk",
    ]);
  });

  test("an explicit priority 0 is a real priority, not 'no priority'", () => {
    const queue = new PriorityQueue<string>({ defaultPriority: 5 });
    queue.enqueue("default", undefined);
    queue.enqueue("zero", 0);
    expect(queue.dequeue(), "priority 0 must beat the default 5: use `??`, not `||`, because 0 is falsy").toBe("zero");
  });
});

describe("peek, size and empty queue", () => {
  test("an empty queue has size 0 and dequeue and peek return undefined", () => {
    const queue = new PriorityQueue<string>();
    expect(queue.size, "a new queue is empty").toBe(0);
    expect(queue.dequeue(), "dequeue on an empty queue returns undefined, it does not throw").toBeUndefined();
    expect(queue.peek(), "peek on an empty queue returns undefined").toBeUndefined();
  });

  test("peek returns the next item without removing it", () => {
    const queue = new PriorityQueue<string>();
    queue.enqueue("b", 2);
    queue.enqueue("a", 1);
    expect(queue.peek(), "peek shows the most urgent item").toBe("a");
    expect(queue.peek(), "peeking twice shows the same item").toBe("a");
    expect(queue.size, "peek must not remove anything").toBe(2);
    expect(queue.dequeue(), "dequeue returns what peek showed").toBe("a");
  });

  test("the last two items both come out, each exactly once", () => {
    const queue = new PriorityQueue<string>();
    queue.enqueue("first", 1);
    queue.enqueue("second", 2);
    expect([queue.dequeue(), queue.dequeue(), queue.dequeue()], "two items in, two distinct items out, then undefined").toEqual([
      "first",
      "second",
      undefined,
    ]);
  });

  test("items that are falsy (0, empty string, null) are stored and returned like any other", () => {
    const queue = new PriorityQueue<unknown>();
    queue.enqueue(0, 1);
    queue.enqueue("", 2);
    queue.enqueue(null, 3);
    expect(queue.size, "three items were enqueued").toBe(3);
    expect([queue.dequeue(), queue.dequeue(), queue.dequeue()], "falsy items must come out in priority order").toEqual([0, "", null]);
  });
});

describe("validation", () => {
  test("a priority that is not a safe integer is rejected with a RangeError", () => {
    const queue = new PriorityQueue<string>();
    queue.enqueue("ok", 1);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 1.5, "3" as unknown as number]) {
      expect(() => queue.enqueue("bad", bad), `enqueue(item, ${String(bad)}) must throw a RangeError: NaN or a string would silently break every comparison`).toThrow(RangeError);
    }
    for (const bad of [2 ** 53, -(2 ** 53), 1e300]) {
      expect(() => queue.enqueue("bad", bad), `enqueue(item, ${String(bad)}) must throw a RangeError: it is an integer but not a safe one (use Number.isSafeInteger, not Number.isInteger)`).toThrow(RangeError);
    }
    expect(queue.size, "a rejected enqueue must leave the queue unchanged").toBe(1);
    expect(drain(queue), "only the valid item is in the queue").toEqual(["ok"]);
  });

  test("a defaultPriority that is not a safe integer is rejected with a RangeError", () => {
    expect(() => new PriorityQueue({ defaultPriority: Number.NaN }), "new PriorityQueue({ defaultPriority: NaN }) must throw a RangeError").toThrow(RangeError);
  });
});
