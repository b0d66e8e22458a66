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
   * Must be a safe integer (see `enqueue`); otherwise the constructor throws
   * a RangeError.
   */
  defaultPriority?: number;
}

export class PriorityQueue<T> {
  /**
   * @param options.defaultPriority priority for `enqueue(item)` with no
   *   priority (default 0).
   */
  constructor(options: PriorityQueueOptions = {}) {
    void options;
    throw new Error("TODO: set up the queue (remember options.defaultPriority)");
  }

  /** Number of items waiting in the queue. */
  get size(): number {
    throw new Error("TODO: size");
  }

  /**
   * Adds `item` with `priority` (lower number = more urgent).
   *
   * - `priority` omitted or `undefined` means the queue's defaultPriority.
   *   An explicit 0 is a real priority, not "no priority".
   * - `priority` must be a safe integer (negative numbers are allowed, as in
   *   graphile-worker). Anything else (NaN, Infinity, 1.5, a string smuggled
   *   past the types) throws a RangeError and leaves the queue unchanged.
   */
  enqueue(item: T, priority?: number): void {
    void item;
    void priority;
    throw new Error("TODO: enqueue");
  }

  /**
   * Removes and returns the item that must run next: the lowest priority
   * number, and among equal priorities the one enqueued first.
   * Returns undefined when the queue is empty.
   */
  dequeue(): T | undefined {
    throw new Error("TODO: dequeue");
  }

  /** The item `dequeue()` would return, without removing it; undefined if empty. */
  peek(): T | undefined {
    throw new Error("TODO: peek");
  }
}
