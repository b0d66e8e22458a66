// queuecraft:hidden-or-solution — never in a student edition
// Alternative: no heap and no sequence numbers. One FIFO bucket per distinct priority (a Map), plus a sorted array of the priorities that have items, kept in order with a binary-search insert.

export interface PriorityQueueOptions {
  defaultPriority?: number;
}

class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  front(): T {
    return this.items[this.head]!;
  }

  shift(): T {
    const item = this.items[this.head]!;
    this.head += 1;
    if (this.head > 64 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

function assertPriority(value: unknown, what: string): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new RangeError(`${what} must be a safe integer, not ${typeof value === "number" ? value : typeof value}`);
  }
}

export class PriorityQueue<T> {
  private readonly buckets = new Map<number, Fifo<T>>();
  /** The priorities that have a non-empty bucket, ascending. */
  private readonly order: number[] = [];
  private readonly fallback: number;
  private count = 0;

  constructor(options?: PriorityQueueOptions) {
    const fallback = options?.defaultPriority === undefined ? 0 : options.defaultPriority;
    assertPriority(fallback, "defaultPriority");
    this.fallback = fallback;
  }

  get size(): number {
    return this.count;
  }

  enqueue(item: T, priority?: number): void {
    const p = priority === undefined ? this.fallback : priority;
    assertPriority(p, "priority");
    let bucket = this.buckets.get(p);
    if (bucket === undefined) {
      bucket = new Fifo<T>();
      this.buckets.set(p, bucket);
      let lo = 0;
      let hi = this.order.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.order[mid]! < p) lo = mid + 1;
        else hi = mid;
      }
      this.order.splice(lo, 0, p);
    }
    bucket.push(item);
    this.count += 1;
  }

  dequeue(): T | undefined {
    if (this.count === 0) return undefined;
    const p = this.order[0]!;
    const bucket = this.buckets.get(p)!;
    const item = bucket.shift();
    if (bucket.length === 0) {
      this.buckets.delete(p);
      this.order.shift();
    }
    this.count -= 1;
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.buckets.get(this.order[0]!)!.front();
  }
}
