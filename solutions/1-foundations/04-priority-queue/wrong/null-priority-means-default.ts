// queuecraft:hidden-or-solution — never in a student edition
// Treats a null priority like a missing one (??), so enqueue(item, null) smuggled past the types is queued at the default priority instead of throwing a RangeError.
interface Entry<T> {
  priority: number;
  item: T;
}

export interface PriorityQueueOptions {
  defaultPriority?: number;
}

function checkPriority(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new RangeError(`${what} must be a safe integer, got ${String(value)}`);
  }
  return value;
}

export class PriorityQueue<T> {
  readonly #defaultPriority: number;
  readonly #entries: Entry<T>[] = [];

  constructor(options: PriorityQueueOptions = {}) {
    this.#defaultPriority = options.defaultPriority === undefined ? 0 : checkPriority(options.defaultPriority, "defaultPriority");
  }

  get size(): number {
    return this.#entries.length;
  }

  enqueue(item: T, priority?: number): void {
    const p = priority == null ? this.#defaultPriority : checkPriority(priority, "priority");
    let lo = 0;
    let hi = this.#entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#entries[mid]!.priority <= p) lo = mid + 1;
      else hi = mid;
    }
    this.#entries.splice(lo, 0, { priority: p, item });
  }

  dequeue(): T | undefined {
    return this.#entries.shift()?.item;
  }

  peek(): T | undefined {
    return this.#entries[0]?.item;
  }
}
