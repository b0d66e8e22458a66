// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: a binary min-heap of (priority, sequence number) pairs.
//
// A heap alone is not stable: moving the last leaf to the root on every
// dequeue shuffles items of equal priority. The sequence number, taken from a
// counter that only ever grows, turns "equal priority" into "earlier enqueue
// wins", which is exactly how BullMQ breaks ties (its score is
// priority * 2^32 + counter).

export interface PriorityQueueOptions {
  defaultPriority?: number;
}

interface Entry<T> {
  item: T;
  priority: number;
  seq: number;
}

function checkPriority(value: number, name: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${name} must be a safe integer, got ${String(value)}`);
  }
}

/** True when `a` must run before `b`: lower priority first, then first enqueued. */
function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  if (a.priority !== b.priority) return a.priority < b.priority;
  return a.seq < b.seq;
}

function swap<T>(heap: Entry<T>[], i: number, j: number): void {
  const tmp = heap[i]!;
  heap[i] = heap[j]!;
  heap[j] = tmp;
}

export class PriorityQueue<T> {
  readonly #heap: Entry<T>[] = [];
  readonly #defaultPriority: number;
  #nextSeq = 0;

  constructor(options: PriorityQueueOptions = {}) {
    const defaultPriority = options.defaultPriority === undefined ? 0 : options.defaultPriority;
    checkPriority(defaultPriority, "defaultPriority");
    this.#defaultPriority = defaultPriority;
  }

  get size(): number {
    return this.#heap.length;
  }

  enqueue(item: T, priority?: number): void {
    // Only undefined means "no priority": null, like any other non-number, is refused below.
    const p = priority === undefined ? this.#defaultPriority : priority;
    checkPriority(p, "priority");
    this.#heap.push({ item, priority: p, seq: this.#nextSeq++ });
    this.#siftUp(this.#heap.length - 1);
  }

  dequeue(): T | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.#siftDown(0);
    }
    return top.item;
  }

  peek(): T | undefined {
    return this.#heap[0]?.item;
  }

  /** Moves a new leaf up while it must run before its parent. */
  #siftUp(index: number): void {
    const heap = this.#heap;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      swap(heap, i, parent);
      i = parent;
    }
  }

  /** Moves the root down, always swapping with the child that must run first. */
  #siftDown(index: number): void {
    const heap = this.#heap;
    const n = heap.length;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let first = i;
      if (left < n && before(heap[left]!, heap[first]!)) first = left;
      if (right < n && before(heap[right]!, heap[first]!)) first = right;
      if (first === i) return;
      swap(heap, i, first);
      i = first;
    }
  }
}
