// queuecraft:hidden-or-solution — never in a student edition
// Alternative: the priority counts down from the top of the portable range (PRIORITY_MAX -> 1, PRIORITY_MIN -> 2,000,001) instead of flipping around a midpoint, every option is always set (backoff even without retries, delay 0), and seconds become milliseconds through one helper.
import type { JobsOptions } from "bullmq";

export interface PortableJobOptions {
  priority?: number;
  retryLimit?: number;
  retryDelay?: number;
  retryBackoff?: boolean;
  startAfterSeconds?: number;
  singletonKey?: string;
  expireInSeconds?: number;
}

export const PRIORITY_MIN = -1_000_000;
export const PRIORITY_MAX = 1_000_000;
export const BULLMQ_PRIORITY_MAX = 2_097_151;

export interface BullMQPlan {
  opts: JobsOptions;
  timeoutMs: number | undefined;
}

const toMs = (seconds: number | undefined): number => (seconds === undefined ? 0 : Math.round(seconds * 1000));

export function toBullMQ(options: PortableJobOptions): BullMQPlan {
  const portable = options.priority === undefined ? 0 : options.priority;
  const bounded = portable > PRIORITY_MAX ? PRIORITY_MAX : portable < PRIORITY_MIN ? PRIORITY_MIN : portable;
  const priority = PRIORITY_MAX - bounded + 1; // 1 (most urgent) .. 2,000,001, all inside BullMQ's range

  const wait = options.retryDelay !== undefined ? toMs(options.retryDelay) : options.retryBackoff ? 1000 : 0;
  const opts: JobsOptions = {
    priority,
    attempts: 1 + (options.retryLimit === undefined ? 0 : options.retryLimit),
    backoff: options.retryBackoff ? { type: "exponential", delay: wait } : { type: "fixed", delay: wait },
    delay: toMs(options.startAfterSeconds),
  };
  if (typeof options.singletonKey === "string") {
    if (options.singletonKey.length === 0) throw new TypeError("toBullMQ: an empty singletonKey cannot be deduplicated on");
    opts.deduplication = { id: options.singletonKey };
  }
  return { opts, timeoutMs: options.expireInSeconds === undefined ? undefined : toMs(options.expireInSeconds) };
}
