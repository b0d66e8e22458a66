// The producer of distributed grading: enqueues one job per (student,
// challenge) on the run's own queue, keeps the run's lease, collects results
// and dead letters, and deletes the run's keys when it ends.

import { readFileSync } from "node:fs";
import { Queue, type Job } from "bullmq";
import { Redis } from "ioredis";
import type { Lesson } from "../../course/catalog.ts";
import { courseFingerprint, sha256 } from "../../grading/graded-record.ts";
import { errorResults, type Results } from "../../grading/results.ts";
import { deadLetterKind } from "../../grading/error-kind.ts";
import { PREFIX, RUNS_KEY, LEASE_MS, HEARTBEAT_MS, POLL_MS, MAX_SOURCE_BYTES, ATTEMPTS, RedisUnavailable, GradingAborted, type Submission, type GradingJobData, type DeadLetter, submissionKey, queueNameFor, runKeys, connectRedis, sleep, deleteRun } from "./registry.ts";

export interface DistributedOptions {
  root: string;
  redisUrl: string;
  lessons: Lesson[];
  submissions: Submission[];
  timeoutMs: number;
  /** Give up when no worker has been connected to the run for this long. */
  workerWaitMs: number;
  signal?: AbortSignal;
  onProgress?(done: number, total: number, submission: Submission): void;
  /** One-line notices for the instructor (waiting for workers, a worker with another checkout…). */
  onNotice?(text: string): void;
}

export interface DistributedRun {
  /** Aligned with the submissions; a dead-lettered submission gets an "error" result that says so. */
  results: Results[];
  deadLetters: DeadLetter[];
  /** Submissions whose grading was started more than once (a worker died, or lost its lock); each counts once. */
  retried: number;
  queue: string;
}

export function deadLetterResults(letter: DeadLetter): Results {
  return errorResults({
    kind: deadLetterKind(letter.reason),
    message: `Not graded: ${letter.reason}. The grading workers gave up after ${letter.attempts} attempt(s) and set it aside as a dead letter; grade it on its own (npm run check) to see why.`,
  });
}

function failureReason(job: Job): string {
  if (/stalled more than allowable limit/.test(job.failedReason ?? "")) return `its worker died ${job.stalledCounter} times while holding it`;
  return job.failedReason || "the job failed";
}

/** The producer's side of a run: which submissions are still out, and what came back for each. */
class Collector {
  readonly results: Array<Results | undefined>;
  /** Job id → index into the submissions. */
  readonly outstanding = new Map<string, number>();
  readonly deadLetters: DeadLetter[] = [];
  #done = 0;
  #failedSeen = 0;

  constructor(
    private readonly submissions: Submission[],
    jobs: Array<{ id: string; bytes: number }>,
    private readonly onProgress: DistributedOptions["onProgress"],
  ) {
    this.results = new Array(submissions.length);
    jobs.forEach((job, index) => {
      // Too large to put in Redis: an error result here, never enqueued.
      if (job.bytes > MAX_SOURCE_BYTES) this.#settle(index, errorResults({ kind: "other", message: `Not graded: challenge.ts is ${job.bytes} bytes, over the ${MAX_SOURCE_BYTES}-byte limit for distributed grading.` }));
      else this.outstanding.set(job.id, index);
    });
  }

  #settle(index: number, results: Results): void {
    this.results[index] = results;
    this.onProgress?.(++this.#done, this.submissions.length, this.submissions[index]!);
  }

  /** Results the workers stored since the last call. */
  async takeResults(redis: Redis, keys: ReturnType<typeof runKeys>): Promise<void> {
    const ids = [...this.outstanding.keys()];
    for (let at = 0; at < ids.length; at += 500) {
      const chunk = ids.slice(at, at + 500);
      const values = await redis.hmget(keys.results, ...chunk);
      chunk.forEach((id, i) => {
        if (values[i] === null || values[i] === undefined) return;
        this.#settle(this.outstanding.get(id)!, JSON.parse(values[i]!) as Results);
        this.outstanding.delete(id);
      });
    }
  }

  /** Jobs BullMQ failed for good since the last call: the run's dead letters. */
  async takeDeadLetters(queue: Queue<GradingJobData>, redis: Redis, keys: ReturnType<typeof runKeys>): Promise<void> {
    const failed = await queue.getFailedCount();
    if (failed === this.#failedSeen) return;
    this.#failedSeen = failed;
    for (const job of await queue.getFailed(0, -1)) {
      const index = job.id === undefined ? undefined : this.outstanding.get(job.id);
      if (index === undefined) continue;
      const started = Number((await redis.hget(keys.starts, job.id!)) ?? 0);
      const letter: DeadLetter = { student: job.data.student, challenge: job.data.challenge, sha256: job.data.sha256, reason: failureReason(job), attempts: Math.max(started, job.attemptsMade) };
      this.deadLetters.push(letter);
      this.#settle(index, deadLetterResults(letter));
      this.outstanding.delete(job.id!);
    }
  }
}

/**
 * Once a second: tells the instructor about workers that will not join (another
 * checkout) or that none came, and gives up after `workerWaitMs` without any.
 */
function workerWatch(queue: Queue<GradingJobData>, redis: Redis, options: DistributedOptions, queueName: string, fingerprint: string) {
  const notice = options.onNotice ?? (() => {});
  const told = new Set<string>();
  const start = `npm run grade-worker -- --redis ${options.redisUrl}`;
  let seen = Date.now();
  let checked = 0;
  return async (outstanding: number) => {
    const now = Date.now();
    if (now - checked < 1_000) return;
    checked = now;
    // CLIENT LIST may be refused (some managed Redis): then assume workers, never give up on that basis.
    if ((await queue.getWorkersCount().catch(() => 1)) > 0) seen = now;
    for (const other of await redis.smembers(runKeys(queueName).mismatched)) {
      if (told.has(other)) continue;
      told.add(other);
      notice(`Worker ${other} has a different checkout of the course and will not grade this run: update it (git pull, npm ci) and restart it.`);
    }
    if (!told.has("waiting") && now - seen >= 5_000) {
      told.add("waiting");
      notice(`Waiting for workers: start \`${start}\` on machines with this course checked out (course ${fingerprint.slice(0, 16)}).`);
    }
    if (now - seen >= options.workerWaitMs) {
      throw new GradingAborted(`no worker took the jobs for ${Math.round(options.workerWaitMs / 1000)} s (${outstanding} of ${options.submissions.length} not graded): start \`${start}\` on a machine with this course`);
    }
  };
}

export async function gradeOnQueue(options: DistributedOptions): Promise<DistributedRun> {
  const fingerprint = courseFingerprint(options.root, options.lessons);
  const queueName = queueNameFor(fingerprint);
  const keys = runKeys(queueName);
  const jobs = options.submissions.map((submission) => {
    const source = readFileSync(submission.file, "utf8");
    const digest = sha256(source);
    const data: GradingJobData = { student: submission.student, challenge: submission.challenge, source, sha256: digest, timeoutMs: options.timeoutMs };
    return { id: submissionKey(submission.student, submission.challenge, digest), data, bytes: Buffer.byteLength(source) };
  });
  const collector = new Collector(options.submissions, jobs, options.onProgress);

  const redis = await connectRedis(options.redisUrl, { waitForever: false });
  const queue = new Queue<GradingJobData>(queueName, {
    connection: redis,
    prefix: PREFIX,
    defaultJobOptions: { attempts: ATTEMPTS, backoff: { type: "exponential", delay: 2_000 }, removeOnComplete: true, removeOnFail: false },
  });
  try {
    const pending = jobs.filter((job) => collector.outstanding.has(job.id));
    for (let at = 0; at < pending.length; at += 500) {
      await queue.addBulk(pending.slice(at, at + 500).map((job) => ({ name: job.data.challenge, data: job.data, opts: { jobId: job.id } })));
    }
    await redis.zadd(RUNS_KEY, Date.now() + LEASE_MS, queueName);
    const watch = workerWatch(queue, redis, options, queueName, fingerprint);
    let beat = Date.now();
    while (collector.outstanding.size > 0) {
      await sleep(POLL_MS, options.signal);
      if (options.signal?.aborted) throw new GradingAborted("interrupted");
      if (Date.now() - beat >= HEARTBEAT_MS) {
        // A run reaped by a worker's janitor (this process was stopped for minutes) cannot finish.
        if ((await redis.zscore(RUNS_KEY, queueName)) === null) throw new GradingAborted("this run was abandoned while the grading process was paused; run grade again");
        beat = Date.now();
        await redis.zadd(RUNS_KEY, beat + LEASE_MS, queueName);
      }
      await collector.takeResults(redis, keys);
      await collector.takeDeadLetters(queue, redis, keys);
      await watch(collector.outstanding.size);
    }
    const starts = await redis.hvals(keys.starts);
    // Every result is in, but a worker may still be completing its last job in
    // BullMQ: give it a moment, so deleting the queue does not fail that call.
    for (const deadline = Date.now() + 5_000; Date.now() < deadline && (await queue.getActiveCount()) > 0; ) await sleep(100);
    return { results: collector.results as Results[], deadLetters: collector.deadLetters, retried: starts.filter((n) => Number(n) > 1).length, queue: queueName };
  } catch (error) {
    if (error instanceof GradingAborted || redis.status === "ready") throw error;
    throw new RedisUnavailable(`lost Redis at ${options.redisUrl} (${(error as Error).message}); grade again once it is back`);
  } finally {
    // Deregister first so workers stop fetching, then delete every key of the run.
    await redis.zrem(RUNS_KEY, queueName).catch(() => {});
    await queue.close().catch(() => {});
    await deleteRun(redis, queueName).catch(() => {});
    await redis.quit().catch(() => redis.disconnect());
  }
}
