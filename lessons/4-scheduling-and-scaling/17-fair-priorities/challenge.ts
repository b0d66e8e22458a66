// Fair priorities: a picker over named queues that shares the worker's turns
// by weight instead of always serving the most important queue first.

/** Queue name -> weight, in declaration order (see C9). */
export type Weights = Readonly<Record<string, number>>;

export interface Picked<T> {
  /** The queue the job came from. */
  queue: string;
  job: T;
}

export interface FairQueue<T> {
  /**
   * - [C1] Appends `job` to the end of the named queue. Any value is a job, 0, "", null,
   *   undefined and false included. Throws an Error if `queue` is not one of the names
   *   given to createFairQueue.
   */
  push(queue: string, job: T): void;

  /**
   * Removes and returns the next job, choosing the queue by weighted round-robin.
   * Let W be the sum of all weights.
   *
   * - [C2] Proportion: starting from a new FairQueue, as long as every queue has had work
   *   at every pick, ANY W consecutive picks (not only picks 1..W, W+1..2W, ...) contain
   *   exactly `weight` picks from each queue. No queue is ever starved.
   * - [C3] Empty queues are skipped: their turns go to the queues that have work, and
   *   those share the picks in proportion to their own weights. Starting from a new
   *   FairQueue in which some queues never receive work, in any n consecutive picks a
   *   queue of weight w gets n*w/S picks give or take W, where S is the sum of the
   *   weights of the queues that have work.
   * - [C4] Idle time earns no credit: a queue that was empty for a long time and then
   *   receives work gets its share from then on, not a burst of catch-up picks (again
   *   n*w/W give or take W, over any n picks while all queues have work).
   * - [C5] Within one queue, jobs come out in the order they were pushed (FIFO).
   * - [C6] Returns null only when every queue is empty; never while any job is waiting
   *   (whatever the job's value: a queue holding `undefined` or 0 is not empty).
   * - [C7] Weights may be large (2^31 and more): the time and memory a pick takes do not
   *   grow with the weights (no list with one entry per unit of weight).
   *
   * Left free: smooth (CDCLDC) or bursty (CCCDDL) order; both satisfy C2.
   */
  next(): Picked<T> | null;

  /**
   * - [C8] Jobs waiting in the named queue, or in all queues together when no name is
   *   given. Throws an Error for a name that was not given to createFairQueue.
   */
  size(queue?: string): number;
}

/**
 * Creates an empty FairQueue over the given queues.
 *
 * - [C9] Each own key of `weights` is a queue, in declaration order; a name is any
 *   string ("constructor", "__proto__" or "toString" are names like any other, and a
 *   name that is not a key, such as "hasOwnProperty", is unknown). The weights are read
 *   once: changing the object afterwards changes nothing in the FairQueue.
 * - [C10] Throws a RangeError if there are no queues or if any weight is not a positive
 *   integer (0, -1, 1.5, NaN, Infinity).
 */
export function createFairQueue<T>(weights: Weights): FairQueue<T> {
  throw new Error("TODO: createFairQueue — weighted round-robin over named queues");
}
