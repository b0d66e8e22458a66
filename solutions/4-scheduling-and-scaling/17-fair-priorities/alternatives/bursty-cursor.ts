// queuecraft:hidden-or-solution — never in a student edition
// Alternative: bursty weighted round-robin (CCCDDL, not CDCLDC) with a cursor over an array of queues and a count of turns left in the current burst, in a class, with each queue's jobs in a head-indexed array instead of shift().

export type Weights = Readonly<Record<string, number>>;

export interface Picked<T> {
  queue: string;
  job: T;
}

export interface FairQueue<T> {
  push(queue: string, job: T): void;
  next(): Picked<T> | null;
  size(queue?: string): number;
}

class Lane<T> {
  private items: T[] = [];
  private head = 0;
  constructor(
    readonly name: string,
    readonly weight: number,
  ) {}
  get length(): number {
    return this.items.length - this.head;
  }
  push(job: T): void {
    this.items.push(job);
  }
  take(): T {
    const job = this.items[this.head] as T;
    this.head++;
    if (this.head > 32 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return job;
  }
}

class BurstyQueue<T> implements FairQueue<T> {
  private readonly lanes: Lane<T>[];
  private readonly index = new Map<string, number>();
  private cursor = 0;
  private turnsLeft: number;

  constructor(weights: Weights) {
    this.lanes = Object.entries(weights).map(([name, weight]) => new Lane<T>(name, weight));
    this.lanes.forEach((lane, i) => this.index.set(lane.name, i));
    this.turnsLeft = this.lanes[0]!.weight;
  }

  private lane(name: string): Lane<T> {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`unknown queue "${name}"`);
    return this.lanes[i]!;
  }

  push(queue: string, job: T): void {
    this.lane(queue).push(job);
  }

  next(): Picked<T> | null {
    // The current lane keeps its turn while it has work and turns left; otherwise the cursor
    // moves on to the next lane with work, which starts a fresh burst of `weight` turns.
    for (let step = 0; step <= this.lanes.length; step++) {
      const lane = this.lanes[this.cursor]!;
      if (lane.length > 0 && this.turnsLeft > 0) {
        this.turnsLeft--;
        return { queue: lane.name, job: lane.take() };
      }
      this.cursor = (this.cursor + 1) % this.lanes.length;
      this.turnsLeft = this.lanes[this.cursor]!.weight;
    }
    return null;
  }

  size(queue?: string): number {
    if (queue !== undefined) return this.lane(queue).length;
    return this.lanes.reduce((total, lane) => total + lane.length, 0);
  }
}

export function createFairQueue<T>(weights: Weights): FairQueue<T> {
  const entries = Object.entries(weights);
  if (entries.length === 0) throw new RangeError("at least one queue is needed");
  for (const [name, weight] of entries) {
    if (typeof weight !== "number" || !Number.isInteger(weight) || weight <= 0) throw new RangeError(`weight of "${name}" must be a positive integer`);
  }
  return new BurstyQueue<T>(weights);
}
