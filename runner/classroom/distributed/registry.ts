// Grading spread over machines with BullMQ on Redis: this file is what the
// producer (producer.ts) and the workers (worker.ts) share — the registry of
// runs in Redis, the job's data, the key a result is stored under.
//
// What the course teaches, applied here:
// - at-least-once delivery: a worker that dies mid-job loses its lock and the
//   job is handed to another worker (BullMQ's stalled-job check);
// - idempotency: a result is stored once per key — student, challenge and the
//   sha256 of the submitted source — so a job graded twice counts once, and a
//   retry after a crash that happened after grading reuses the stored result;
// - poison messages: a submission whose grading keeps killing its worker, or a
//   job that cannot be processed, ends in BullMQ's failed set: the run's dead
//   letters;
// - graceful shutdown: worker.close() finishes the jobs it holds.
//
// Each run has its own queue, registered in a Redis sorted set with a lease
// the producer renews; workers discover runs there, so `grade-worker` needs
// only the Redis URL. The queue's name carries a fingerprint of the course's
// hidden tests, and a worker whose checkout differs does not join.

import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { sha256 } from "../../grading/graded-record.ts";

/** BullMQ's key prefix, and the root of this module's own keys. */
export const PREFIX = "queuecraft";
/** Sorted set: member = a run's queue name, score = when its lease ends (epoch ms). */
export const RUNS_KEY = `${PREFIX}:grading:runs`;
export const LEASE_MS = 30_000;
export const HEARTBEAT_MS = 5_000;
/** A run whose lease ended this long ago has lost its producer: any worker may delete it. */
export const ABANDONED_MS = 5 * 60_000;
export const POLL_MS = 250;
export const WORKER_POLL_MS = 1_000;
/** Job data lives in Redis: a source file larger than this is not enqueued. */
export const MAX_SOURCE_BYTES = 1_000_000;
/**
 * A submission whose grading was started this many times and never finished
 * (its worker died each time) is a poison message: failed, not retried.
 * Counted by this module, not by BullMQ's stalledCounter: a worker also holds
 * jobs it has not started grading, and those die with it through no fault of
 * their own.
 */
export const POISON_STARTS = 3;
/** BullMQ's own bound on stalls, only a backstop for the count above. */
export const MAX_STALLS = 10;
/** Attempts for a job whose processing throws (an infrastructure error, not a failing candidate). */
export const ATTEMPTS = 3;

export class RedisUnavailable extends Error {}
export class GradingAborted extends Error {}

export interface Submission {
  student: string;
  challenge: string;
  /** The submitted challenge.ts. */
  file: string;
}

/** What travels to a worker: the source itself, so the worker needs only the course checkout. */
export interface GradingJobData {
  student: string;
  challenge: string;
  source: string;
  sha256: string;
  timeoutMs: number;
}

export interface DeadLetter {
  student: string;
  challenge: string;
  sha256: string;
  reason: string;
  /** How many times a worker started on it. */
  attempts: number;
}

/** The idempotency key: one result per student, challenge and exact source. Also the job id. */
export function submissionKey(student: string, challenge: string, sourceSha: string): string {
  return `g-${sha256(JSON.stringify([student, challenge, sourceSha])).slice(0, 40)}`;
}

export const queueNameFor = (fingerprint: string) => `grade-${fingerprint.slice(0, 16)}-${randomBytes(6).toString("hex")}`;
export const fingerprintOfQueue = (queue: string) => /^grade-([0-9a-f]{16})-[0-9a-f]+$/.exec(queue)?.[1];
export const runKeys = (queue: string) => ({
  results: `${PREFIX}:grading:${queue}:results`,
  starts: `${PREFIX}:grading:${queue}:starts`,
  mismatched: `${PREFIX}:grading:${queue}:mismatched`,
});

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A connection that fails fast when Redis is not there at all. Then, on a
 * worker, it waits out Redis restarts however long they take (BullMQ requires
 * maxRetriesPerRequest: null for workers); the producer's commands fail after
 * ioredis's 20 reconnection attempts instead, so `grade` cannot hang.
 */
export async function connectRedis(url: string, options: { waitForever: boolean; onError?: (error: Error) => void }): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: options.waitForever ? null : 20, lazyConnect: true, connectTimeout: 3_000 });
  let first: Error | undefined;
  redis.on("error", (error: Error) => {
    first ??= error;
    options.onError?.(error);
  });
  try {
    await withTimeout(
      redis.connect().then(() => redis.ping()),
      4_000,
      "timed out",
    );
  } catch (error) {
    redis.disconnect();
    const reason = (first as NodeJS.ErrnoException | undefined)?.code ?? (error as Error).message;
    throw new RedisUnavailable(`Redis at ${url} does not answer (${reason}): start it, or check the URL`);
  }
  return redis;
}

/** Waits `ms`, or less when `signal` aborts (callers check the signal). */
export const sleep = (ms: number, signal?: AbortSignal): Promise<unknown> => delay(ms, undefined, { signal }).catch(() => {});

export async function deleteRun(redis: Redis, queueName: string): Promise<void> {
  // skipMetasUpdate: a new Queue writes the queue's meta hash without being awaited, so it could
  // land after the obliterate and leave the key behind.
  const queue = new Queue(queueName, { connection: redis, prefix: PREFIX, skipMetasUpdate: true });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
  await redis.del(...Object.values(runKeys(queueName)));
}
