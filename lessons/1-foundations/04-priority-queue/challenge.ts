// Challenge: a priority queue for jobs, ordered the way BullMQ, graphile-worker,
// River and Oban order theirs.
//
// The order, exactly:
//   1. the LOWER priority number comes out first (1 before 5, -2 before 0);
//   2. items with EQUAL priority come out in the order they were enqueued
//      (first in, first out), however many items are in the queue and however
//      enqueues and dequeues are interleaved.
//
// Efficiency: a binary heap (O(log n) per operation) is what real queues use and
// what this lesson explains; a sorted array with a binary-search insert is also
// accepted. The hidden tests check the order that comes out, not the structure.

export interface PriorityQueueOptions {
  /**
   * The priority given to items enqueued without one. Defaults to 0.
   * Must be a safe integer; otherwise the constructor throws a RangeError.
   */
  defaultPriority?: number;
}

export class PriorityQueue<T> {
  /**
   * - [C1] `options.defaultPriority` is the priority for `enqueue(item)` with
   *   no priority: 0 when the option (or the whole options object) is omitted
   *   or undefined. Any safe integer is allowed, negative ones and
   *   Number.MIN_SAFE_INTEGER / MAX_SAFE_INTEGER included; anything else (NaN,
   *   Infinity, 1.5, 2^53, a string, null) throws a RangeError.
   */
  constructor(options: PriorityQueueOptions = {}) {
    void options;
    throw new Error("TODO: set up the queue (remember options.defaultPriority)");
  }

  /** [C2] Number of items waiting in the queue: enqueued and not yet dequeued. */
  get size(): number {
    throw new Error("TODO: size");
  }

  /**
   * Adds `item` with `priority` (lower number = more urgent).
   *
   * - [C3] `priority` omitted or `undefined` (and only then) means the queue's
   *   defaultPriority. An explicit 0 is a real priority, not "no priority";
   *   null is not "no priority" either (see below).
   * - [C4] `priority` must be a safe integer (negative numbers are allowed, as
   *   in graphile-worker; Number.MIN_SAFE_INTEGER and MAX_SAFE_INTEGER too).
   *   Anything else (NaN, Infinity, 1.5, 2^53, null, a string or boolean
   *   smuggled past the types, even "3" or "") throws a RangeError and leaves
   *   the queue unchanged: same size, same order for what is in it and what
   *   comes next.
   * - [C5] Any value is an item, falsy ones (0, "", false, null) included, and
   *   the same value may be enqueued several times: each enqueue is one more
   *   item, returned once per enqueue.
   */
  enqueue(item: T, priority?: number): void {
    void item;
    void priority;
    throw new Error("TODO: enqueue");
  }

  /**
   * - [C6] Removes and returns the item that must run next: the lowest
   *   priority number, and among equal priorities the one enqueued first.
   * - [C7] Returns undefined when the queue is empty (never throws), also
   *   after it has been emptied; the queue keeps working afterwards.
   */
  dequeue(): T | undefined {
    throw new Error("TODO: dequeue");
  }

  /** [C8] The item `dequeue()` would return, without removing it; undefined if empty. */
  peek(): T | undefined {
    throw new Error("TODO: peek");
  }
}
