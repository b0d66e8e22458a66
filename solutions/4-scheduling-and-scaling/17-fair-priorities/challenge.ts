// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: smooth weighted round-robin (the algorithm nginx uses to
// spread requests over upstream servers), restricted to the queues that have work.

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

interface Lane<T> {
  name: string;
  weight: number;
  /** Running credit: grows by `weight` per pick the lane takes part in, drops by the total when chosen. */
  current: number;
  jobs: T[];
}

export function createFairQueue<T>(weights: Weights): FairQueue<T> {
  const entries = Object.entries(weights);
  if (entries.length === 0) throw new RangeError("createFairQueue needs at least one queue");
  for (const [name, weight] of entries) {
    if (!Number.isInteger(weight) || weight < 1) {
      throw new RangeError(`weight of queue "${name}" must be a positive integer, got ${weight}`);
    }
  }
  const lanes = new Map<string, Lane<T>>(
    entries.map(([name, weight]) => [name, { name, weight, current: 0, jobs: [] }]),
  );

  function lane(queue: string): Lane<T> {
    const found = lanes.get(queue);
    if (!found) throw new Error(`unknown queue "${queue}"`);
    return found;
  }

  return {
    push(queue, job) {
      lane(queue).jobs.push(job);
    },

    next() {
      let total = 0;
      let best: Lane<T> | undefined;
      for (const candidate of lanes.values()) {
        // An empty lane sits this pick out: it neither takes a turn nor earns credit.
        if (candidate.jobs.length === 0) continue;
        candidate.current += candidate.weight;
        total += candidate.weight;
        if (!best || candidate.current > best.current) best = candidate;
      }
      if (!best) return null;
      best.current -= total;
      return { queue: best.name, job: best.jobs.shift()! };
    },

    size(queue) {
      if (queue !== undefined) return lane(queue).jobs.length;
      let total = 0;
      for (const { jobs } of lanes.values()) total += jobs.length;
      return total;
    },
  };
}
