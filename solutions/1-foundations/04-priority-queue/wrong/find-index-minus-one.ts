// queuecraft:hidden-or-solution — never in a student edition
// Finds the insert position with findIndex(first entry with a higher number) and splices there, so when no entry has a higher number findIndex gives -1 and the new, least urgent item is inserted before the last item instead of after it.
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
    const at = this.#entries.findIndex((entry) => entry.priority > p);
    this.#entries.splice(at, 0, { priority: p, item });
  }

  dequeue(): T | undefined {
    return this.#entries.shift()?.item;
  }

  peek(): T | undefined {
    return this.#entries[0]?.item;
  }
}
