// queuecraft:hidden-or-solution — never in a student edition
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
  // Bounded so a queue that never empties fails (quickly) instead of looping forever.
  const limit = Math.min(queue.size, 100_000) + 3;
  for (let i = 0; i < limit && queue.size > 0; i++) out.push(queue.dequeue() as T);
  return out;
}

describe("[C6] order", () => {
  test("[C6] a lower priority number is dequeued first", () => {
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

  test("[C6] items of equal priority come out first in, first out", () => {
    const queue = new PriorityQueue<string>();
    for (let i = 1; i <= 9; i++) queue.enqueue(`email-${i}`, 3);
    expect(drain(queue), "nine jobs of the same priority must leave in the order they arrived").toEqual(
      Array.from({ length: 9 }, (_, i) => `email-${i + 1}`),
    );
  });

  test("[C4][C6] negative priorities are allowed and run before 0", () => {
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

  test("[C2][C6] dequeue order equals a stable sort of the inputs by priority", () => {
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

  test("[C2][C6][C7] interleaved enqueues and dequeues always return the most urgent, oldest item", () => {
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

  test("[C4][C6] priorities anywhere in the safe-integer range keep their order and their ties", () => {
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

  test("[C6] order stays correct with thousands of items", () => {
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

describe("[C1][C3] default priority", () => {
  test("[C1][C3] an item enqueued without a priority gets priority 0 by default", () => {
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

  test("[C1][C3] an item enqueued without a priority gets the queue's defaultPriority", () => {
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

  test("[C1][C3] defaultPriority may be 0, negative or at the ends of the safe range; undefined means 0", () => {
    for (const defaultPriority of [0, -3, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, undefined]) {
      const effective = defaultPriority ?? 0;
      const queue = new PriorityQueue<string>({ defaultPriority });
      queue.enqueue("minus-one", -1);
      queue.enqueue("plain");
      queue.enqueue("zero", 0);
      queue.enqueue("plain-2", undefined);
      const jobs = [
        { id: "minus-one", priority: -1 },
        { id: "plain", priority: effective },
        { id: "zero", priority: 0 },
        { id: "plain-2", priority: effective },
      ];
      const expected = jobs.map((job, index) => ({ ...job, index })).sort((a, b) => a.priority - b.priority || a.index - b.index).map((j) => j.id);
      expect(drain(queue), `with defaultPriority ${String(defaultPriority)}, items without a priority get ${effective} (ties by arrival)`).toEqual(expected);
    }
  });

  test("[C3] an explicit priority 0 is a real priority, not 'no priority'", () => {
    const queue = new PriorityQueue<string>({ defaultPriority: 5 });
    queue.enqueue("default", undefined);
    queue.enqueue("zero", 0);
    expect(queue.dequeue(), "priority 0 must beat the default 5: use `??`, not `||`, because 0 is falsy").toBe("zero");
  });
});

describe("[C2][C5][C7][C8] peek, size and empty queue", () => {
  test("[C2][C7][C8] an empty queue has size 0 and dequeue and peek return undefined", () => {
    const queue = new PriorityQueue<string>();
    expect(queue.size, "a new queue is empty").toBe(0);
    expect(queue.dequeue(), "dequeue on an empty queue returns undefined, it does not throw").toBeUndefined();
    expect(queue.peek(), "peek on an empty queue returns undefined").toBeUndefined();
  });

  test("[C8] peek returns the next item without removing it", () => {
    const queue = new PriorityQueue<string>();
    queue.enqueue("b", 2);
    queue.enqueue("a", 1);
    expect(queue.peek(), "peek shows the most urgent item").toBe("a");
    expect(queue.peek(), "peeking twice shows the same item").toBe("a");
    expect(queue.size, "peek must not remove anything").toBe(2);
    expect(queue.dequeue(), "dequeue returns what peek showed").toBe("a");
  });

  test("[C6][C7] the last two items both come out, each exactly once", () => {
    const queue = new PriorityQueue<string>();
    queue.enqueue("first", 1);
    queue.enqueue("second", 2);
    expect([queue.dequeue(), queue.dequeue(), queue.dequeue()], "two items in, two distinct items out, then undefined").toEqual([
      "first",
      "second",
      undefined,
    ]);
  });

  test("[C5] items that are falsy (0, empty string, null) are stored and returned like any other", () => {
    const queue = new PriorityQueue<unknown>();
    queue.enqueue(0, 1);
    queue.enqueue("", 2);
    queue.enqueue(null, 3);
    expect(queue.size, "three items were enqueued").toBe(3);
    expect([queue.dequeue(), queue.dequeue(), queue.dequeue()], "falsy items must come out in priority order").toEqual([0, "", null]);
  });
});

describe("[C5] items", () => {
  test("[C5][C8] falsy items can be peeked at, and the same item enqueued twice comes out twice", () => {
    const queue = new PriorityQueue<unknown>();
    for (const item of [0, "", false, null, Number.NaN]) {
      queue.enqueue(item, 0);
      const shown = queue.peek();
      if (!Object.is(shown, item)) expect(shown, `peek() must show the falsy item ${String(item)} that is next, not undefined`).toBe(item);
      const got = queue.dequeue();
      if (!Object.is(got, item)) expect(got, `dequeue() must return the falsy item ${String(item)}`).toBe(item);
    }
    const job = { id: "same" };
    queue.enqueue("x", 2);
    queue.enqueue(job, 1);
    queue.enqueue("x", 0);
    queue.enqueue(job, 3);
    expect(queue.size, "enqueuing a value already in the queue adds one more item: four enqueues, size 4").toBe(4);
    expect(drain(queue), "each enqueue comes out once, by its own priority (do not key the queue by item)").toEqual(["x", job, "x", job]);
  });
});

describe("[C1][C4] validation", () => {
  test("[C4] a priority that is not a safe integer is rejected with a RangeError", () => {
    const queue = new PriorityQueue<string>();
    queue.enqueue("ok", 1);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5, -0.5, Number.EPSILON, ...(["3", "", "-1", " 2", true, false, null, [1], {}, 1n] as unknown as number[])]) {
      expect(() => queue.enqueue("bad", bad), `enqueue(item, ${typeof bad === "string" ? JSON.stringify(bad) : String(bad)}) (a ${typeof bad}) must throw a RangeError: only safe integers are priorities; NaN or a string would silently break every comparison`).toThrow(RangeError);
    }
    for (const bad of [2 ** 53, -(2 ** 53), 1e300]) {
      expect(() => queue.enqueue("bad", bad), `enqueue(item, ${String(bad)}) must throw a RangeError: it is an integer but not a safe one (use Number.isSafeInteger, not Number.isInteger)`).toThrow(RangeError);
    }
    expect(queue.size, "a rejected enqueue must leave the queue unchanged").toBe(1);
    expect(drain(queue), "only the valid item is in the queue").toEqual(["ok"]);
  });

  test("[C4] a refused enqueue leaves the order of what is queued and what comes next unchanged", () => {
    const queue = new PriorityQueue<string>();
    queue.enqueue("a", 1);
    queue.enqueue("b", 1);
    for (const bad of [Number.NaN, 1.5, 2 ** 53, "1" as unknown as number]) {
      try {
        queue.enqueue("bad", bad);
      } catch {
        // expected
      }
    }
    queue.enqueue("c", 1);
    queue.enqueue("d", 0);
    expect(queue.size, "refused enqueues add nothing").toBe(4);
    expect(drain(queue), "the refused items are not in the queue, and ties still leave in arrival order").toEqual(["d", "a", "b", "c"]);
  });

  test("[C1] a defaultPriority that is not a safe integer is rejected with a RangeError", () => {
    for (const bad of [Number.NaN, Infinity, -Infinity, 1.5, 2 ** 53, -(2 ** 53), ...(["5", "", true, null] as unknown as number[])]) {
      expect(() => new PriorityQueue({ defaultPriority: bad }), `new PriorityQueue({ defaultPriority: ${typeof bad === "string" ? JSON.stringify(bad) : String(bad)} }) must throw a RangeError: the default must be a safe integer too`).toThrow(RangeError);
    }
  });
});

describe("[C2][C3][C6][C7][C8] every short history", () => {
  test("[C2][C3][C6][C7][C8] every sequence of 6 operations (enqueue at -1, 0 or no priority; dequeue) matches the model, peek and size included", () => {
    type Op = -1 | 0 | "none" | "dequeue";
    const ops: Op[] = [-1, 0, "none", "dequeue"];
    const steps = 6;
    const describeHistory = (code: number, upTo: number) => {
      const out: string[] = [];
      for (let step = 0, c = code; step <= upTo; step++, c = Math.floor(c / ops.length)) {
        const op = ops[c % ops.length]!;
        out.push(op === "dequeue" ? "dequeue()" : op === "none" ? `enqueue(${step})` : `enqueue(${step}, ${op})`);
      }
      return out.join(", ");
    };
    for (const defaultPriority of [0, 1] as const) {
      const total = ops.length ** steps;
      for (let code = 0; code < total; code++) {
        const queue = new PriorityQueue<number>({ defaultPriority });
        const ids: number[] = [];
        const priorities: number[] = [];
        let c = code;
        for (let step = 0; step < steps; step++) {
          const op = ops[c % ops.length]!;
          c = (c - (c % ops.length)) / ops.length;
          if (op === "dequeue") {
            let best = -1;
            for (let i = 0; i < ids.length; i++) if (best === -1 || priorities[i]! < priorities[best]!) best = i;
            const expected = best === -1 ? undefined : ids[best];
            const peeked = queue.peek();
            const got = queue.dequeue();
            if (best !== -1) {
              ids.splice(best, 1);
              priorities.splice(best, 1);
            }
            if (peeked !== expected || got !== expected) {
              const where = `with defaultPriority ${defaultPriority}, after ${describeHistory(code, step)}`;
              expect(peeked, `${where}: peek() must show the item dequeue() returns next (lowest priority, oldest first; undefined when empty)`).toBe(expected);
              expect(got, `${where}: dequeue() must return the lowest priority, oldest first (undefined when empty)`).toBe(expected);
            }
          } else {
            if (op === "none") queue.enqueue(step);
            else queue.enqueue(step, op);
            ids.push(step);
            priorities.push(op === "none" ? defaultPriority : op);
          }
          if (queue.size !== ids.length) {
            expect(queue.size, `with defaultPriority ${defaultPriority}, after ${describeHistory(code, step)}: size counts the items enqueued and not yet dequeued`).toBe(ids.length);
          }
        }
      }
    }
  });
});
