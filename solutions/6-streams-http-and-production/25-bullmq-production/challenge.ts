// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: pg-boss-style job options -> BullMQ JobsOptions.

import type { JobsOptions } from "bullmq";

export interface PortableJobOptions {
  /** Urgency, an integer: HIGHER runs first. Default 0; clamped to PRIORITY_MIN..PRIORITY_MAX. */
  priority?: number;
  /** How many times to try again after the first try fails. Default 0. */
  retryLimit?: number;
  /** Seconds before each retry; default 0, or 1 with retryBackoff. */
  retryDelay?: number;
  /** true: exponential backoff starting at retryDelay; otherwise fixed. */
  retryBackoff?: boolean;
  /** Seconds before the first try may start. */
  startAfterSeconds?: number;
  /** Dedupe key, free again once the job has completed or failed. */
  singletonKey?: string;
  /** Time limit for one try, in seconds. */
  expireInSeconds?: number;
}

export const PRIORITY_MIN = -1_000_000;
export const PRIORITY_MAX = 1_000_000;
export const BULLMQ_PRIORITY_MAX = 2_097_151;

export interface BullMQPlan {
  opts: JobsOptions;
  timeoutMs: number | undefined;
}

// 2^20, the middle of BullMQ's 1..2,097,151: portable 0 lands here, and the
// whole portable range (+-1,000,000) fits on both sides without touching 0.
const MIDPOINT = 1_048_576;

function toBullMQPriority(priority: number): number {
  const clamped = Math.min(PRIORITY_MAX, Math.max(PRIORITY_MIN, priority));
  return MIDPOINT - clamped; // flip the direction: higher urgency, lower number
}

const ms = (seconds: number) => Math.round(seconds * 1000);

export function toBullMQ(options: PortableJobOptions): BullMQPlan {
  const retries = options.retryLimit ?? 0;
  const opts: JobsOptions = {
    priority: toBullMQPriority(options.priority ?? 0),
    attempts: retries + 1, // BullMQ counts the first try too
  };
  const retryDelay = options.retryDelay ?? (options.retryBackoff ? 1 : 0);
  if (retries > 0 && (retryDelay > 0 || options.retryBackoff)) {
    opts.backoff = { type: options.retryBackoff ? "exponential" : "fixed", delay: ms(retryDelay) };
  }
  if (options.startAfterSeconds) opts.delay = ms(options.startAfterSeconds);
  // deduplication (not jobId): the key is released when the job completes or
  // fails, while a custom jobId keeps blocking as long as the finished job is kept.
  if (options.singletonKey === "") {
    throw new RangeError("singletonKey must not be empty: BullMQ cannot deduplicate on an empty id, and dropping the key would let duplicates in");
  }
  if (options.singletonKey !== undefined) opts.deduplication = { id: options.singletonKey };
  return { opts, timeoutMs: options.expireInSeconds === undefined ? undefined : ms(options.expireInSeconds) };
}
