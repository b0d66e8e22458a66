// queuecraft:hidden-or-solution — never in a student edition
// Binary-searches the lower bound of the priority, so a new item goes in front of the items already waiting with the same priority and ties come out newest first.
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
    const p = priority === undefined ? this.#defaultPriority : checkPriority(priority, "priority");
    let lo = 0;
    let hi = this.#entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#entries[mid]!.priority < p) lo = mid + 1;
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
