// Fair priorities: a picker over named queues that shares the worker's turns
// by weight instead of always serving the most important queue first.

/** Queue name -> weight. Weights are positive integers; declaration order is kept. */
export type Weights = Readonly<Record<string, number>>;

export interface Picked<T> {
  /** The queue the job came from. */
  queue: string;
  job: T;
}

export interface FairQueue<T> {
  /**
   * Appends `job` to the end of the named queue.
   * Throws an Error if `queue` is not one of the names given to createFairQueue.
   */
  push(queue: string, job: T): void;

  /**
   * Removes and returns the next job, choosing the queue by weighted round-robin.
   *
   * Let W be the sum of all weights.
   * - Proportion: starting from a new FairQueue, as long as every queue has had work
   *   at every pick, ANY W consecutive picks (not only picks 1..W, W+1..2W, ...)
   *   contain exactly `weight` picks from each queue. No queue is ever starved.
   * - Empty queues are skipped: their turns go to the queues that have work, and
   *   those share the picks in proportion to their own weights. Starting from a new
   *   FairQueue in which some queues never receive work, in any n consecutive picks
   *   a queue of weight w gets n*w/S picks give or take W, where S is the sum of the
   *   weights of the queues that have work.
   * - Idle time earns no credit: a queue that was empty for a long time and then
   *   receives work gets its share from then on, not a burst of catch-up picks
   *   (again n*w/W give or take W, over any n picks while all queues have work).
   * - Within one queue, jobs come out in the order they were pushed (FIFO).
   * - Returns null only when every queue is empty; never while any job is waiting.
   */
  next(): Picked<T> | null;

  /** Jobs waiting in the named queue, or in all queues together when no name is given. */
  size(queue?: string): number;
}

/**
 * Creates an empty FairQueue over the given queues.
 * Throws a RangeError if there are no queues or if any weight is not a positive integer.
 */
export function createFairQueue<T>(weights: Weights): FairQueue<T> {
  throw new Error("TODO: createFairQueue — weighted round-robin over named queues");
}
