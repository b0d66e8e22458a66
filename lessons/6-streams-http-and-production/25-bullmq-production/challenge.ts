// Challenge: translate job options written in pg-boss's vocabulary into the
// options BullMQ's queue.add(name, data, opts) expects, without changing what
// they mean. The traps are the directions and units: pg-boss runs HIGHER
// priorities first and counts retries AFTER the first try, in seconds; BullMQ
// runs LOWER priorities first, counts ALL attempts, in milliseconds, and treats
// priority 0 as "no priority" (such jobs run before every prioritized job).

import type { JobsOptions } from "bullmq";

/** The portable options our application writes (pg-boss's names and meanings). */
export interface PortableJobOptions {
  /**
   * Urgency, an integer: HIGHER runs first (pg-boss's direction). Default 0.
   * Distinct values in PRIORITY_MIN..PRIORITY_MAX must stay distinct; a value
   * outside that range counts as the nearest bound.
   */
  priority?: number;
  /** How many times to try again after the first try fails. Non-negative integer, default 0. */
  retryLimit?: number;
  /**
   * Seconds to wait before each retry (may be fractional, e.g. 0.25). Default 0,
   * except that retryBackoff without a retryDelay waits 1 second (as pg-boss does).
   */
  retryDelay?: number;
  /** true: exponential backoff starting at retryDelay (the wait doubles each retry); otherwise a fixed wait. */
  retryBackoff?: boolean;
  /** Seconds before the first try may start (may be fractional). Default 0. */
  startAfterSeconds?: number;
  /**
   * Dedupe key: while a job added with this key is waiting, delayed or active,
   * adding another one with the same key adds nothing. Once that job has
   * completed or failed, the key is free again: a later add creates a new job.
   * Must not be empty.
   */
  singletonKey?: string;
  /** Time limit for one try, in seconds (may be fractional). */
  expireInSeconds?: number;
}

/** The portable priority range whose values must map to distinct BullMQ priorities. */
export const PRIORITY_MIN = -1_000_000;
export const PRIORITY_MAX = 1_000_000;
/** BullMQ accepts priorities 0..2,097,151; 1 is the most urgent, 0 means "none". */
export const BULLMQ_PRIORITY_MAX = 2_097_151;

export interface BullMQPlan {
  /** Pass as the third argument of queue.add(name, data, opts). */
  opts: JobsOptions;
  /**
   * The per-try time limit in milliseconds, for the processor to enforce (for
   * example with AbortSignal.timeout): BullMQ's JobsOptions has no timeout.
   * undefined when expireInSeconds is not set.
   */
  timeoutMs: number | undefined;
}

/**
 * Maps portable options onto BullMQ's JobsOptions so BullMQ does what they say:
 *
 * - [C1] Every job gets an explicit integer BullMQ priority in
 *   1..BULLMQ_PRIORITY_MAX, never 0 (BullMQ's "no priority", which runs before
 *   every prioritized job); an absent priority counts as 0.
 * - [C2] A higher portable priority gives a strictly lower BullMQ number, equal
 *   gives equal (so BullMQ keeps insertion order among them). This holds for
 *   every pair in PRIORITY_MIN..PRIORITY_MAX, the bounds included: PRIORITY_MAX
 *   and PRIORITY_MAX - 1 stay distinct, and so do PRIORITY_MIN + 1 and PRIORITY_MIN.
 * - [C3] A priority outside PRIORITY_MIN..PRIORITY_MAX counts as the nearest bound.
 * - [C4] attempts = retryLimit + 1 (1 without a retryLimit).
 * - [C5] backoff: { type: "exponential" when retryBackoff is set, else "fixed",
 *   delay: retryDelay in milliseconds }. Without a retryDelay the wait is 0, or
 *   1 second with retryBackoff; an explicit retryDelay of 0 is a wait of 0, also
 *   with retryBackoff.
 * - [C6] delay: startAfterSeconds in milliseconds; no delay (0) without it or
 *   when it is 0.
 * - [C7] timeoutMs: expireInSeconds in milliseconds; undefined without it.
 * - [C8] Deduplication by singletonKey with the lifetime described above: while
 *   the keyed job is pending a second add adds nothing; once it has completed or
 *   failed, the key is free again (not a custom jobId, which keeps blocking as
 *   long as the finished job is kept).
 * - [C9] An empty singletonKey ("") is refused: toBullMQ throws an Error whose
 *   message names `singletonKey`. BullMQ cannot dedupe on an empty id (queue.add
 *   would fail later, far from the cause), and dropping the key would silently
 *   let duplicates in. Any non-empty string is a key.
 */
export function toBullMQ(options: PortableJobOptions): BullMQPlan {
  throw new Error("TODO: map priority, retryLimit, retryDelay/retryBackoff, startAfterSeconds, singletonKey and expireInSeconds onto BullMQ");
}
