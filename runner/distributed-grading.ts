// Grading spread over machines with BullMQ on Redis: the producer enqueues one
// job per (student, challenge) and collects results; workers on any machine
// with the course checked out grade them with their own pristine hidden tests.
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
import { existsSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { Queue, UnrecoverableError, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { writeFileAtomic } from "./atomic-file.ts";
import type { Lesson } from "./catalog.ts";
import { courseFingerprint, sha256 } from "./graded-record.ts";
import { grade, type GradeRequest } from "./grading.ts";
import { RESULTS_VERSION, type Results, type Status } from "./results.ts";

/** BullMQ's key prefix, and the root of this module's own keys. */
const PREFIX = "queuecraft";
/** Sorted set: member = a run's queue name, score = when its lease ends (epoch ms). */
const RUNS_KEY = `${PREFIX}:grading:runs`;
const LEASE_MS = 30_000;
const HEARTBEAT_MS = 5_000;
/** A run whose lease ended this long ago has lost its producer: any worker may delete it. */
const ABANDONED_MS = 5 * 60_000;
const POLL_MS = 250;
const WORKER_POLL_MS = 1_000;
/** Job data lives in Redis: a source file larger than this is not enqueued. */
export const MAX_SOURCE_BYTES = 1_000_000;
/**
 * A submission whose grading was started this many times and never finished
 * (its worker died each time) is a poison message: failed, not retried.
 * Counted by this module, not by BullMQ's stalledCounter: a worker also holds
 * jobs it has not started grading, and those die with it through no fault of
 * their own.
 */
const POISON_STARTS = 3;
/** BullMQ's own bound on stalls, only a backstop for the count above. */
const MAX_STALLS = 10;
/** Attempts for a job whose processing throws (an infrastructure error, not a failing candidate). */
const ATTEMPTS = 3;

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

const queueNameFor = (fingerprint: string) => `grade-${fingerprint.slice(0, 16)}-${randomBytes(6).toString("hex")}`;
const fingerprintOfQueue = (queue: string) => /^grade-([0-9a-f]{16})-[0-9a-f]+$/.exec(queue)?.[1];
const runKeys = (queue: string) => ({
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
const sleep = (ms: number, signal?: AbortSignal): Promise<unknown> => delay(ms, undefined, { signal }).catch(() => {});

async function deleteRun(redis: Redis, queueName: string): Promise<void> {
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

// ---------------------------------------------------------------------------
// The producer: enqueue, collect, clean up.

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
  return {
    version: RESULTS_VERSION,
    status: "error",
    message: `Not graded: ${letter.reason}. The grading workers gave up after ${letter.attempts} attempt(s) and set it aside as a dead letter; grade it on its own (npm run check) to see why.`,
    tests: [],
  };
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
      if (job.bytes > MAX_SOURCE_BYTES) this.#settle(index, { version: RESULTS_VERSION, status: "error", message: `Not graded: challenge.ts is ${job.bytes} bytes, over the ${MAX_SOURCE_BYTES}-byte limit for distributed grading.`, tests: [] });
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

// ---------------------------------------------------------------------------
// The worker: discover runs, grade their jobs in small batches.

export type WorkerEvent =
  | { event: "ready"; course: string }
  | { event: "joined"; queue: string }
  | { event: "left"; queue: string }
  | { event: "skipped"; queue: string; reason: string }
  | { event: "grading"; jobs: string[] }
  | { event: "graded"; job: string; status: Status; reused: boolean }
  | { event: "stalled"; jobId: string }
  | { event: "failed"; job: string; reason: string }
  | { event: "reaped"; queue: string }
  | { event: "redis-error"; message: string };

export interface WorkerOptions {
  root: string;
  lessons: Lesson[];
  /** Grading processes at once. */
  concurrency: number;
  /** Jobs graded together in one process (one vitest start-up for all of them). */
  batch: number;
  /** How long a job stays locked without renewal: a killed worker's jobs are retried after about this. */
  lockMs: number;
  /** Servers for the candidates (REDIS_URL, DATABASE_URL): never the queue's own Redis. */
  env: Record<string, string>;
  log(event: WorkerEvent): void;
}

const label = (data: GradingJobData) => `${data.student}/${data.challenge}`;

interface Pending {
  request: { folder: string; challenge: string; source: string; sha256: string };
  timeoutMs: number;
  alone: boolean;
  label: string;
  /** Called when its grading really starts (not when it is merely held). */
  begin(): Promise<unknown>;
  resolve(results: Results): void;
  reject(error: unknown): void;
}

/**
 * Grades jobs a few at a time in one grading process: starting vitest costs
 * more than most hidden test files, so a batch amortises it. A batch holds at
 * most one job per challenge (the grading child maps a lesson to one
 * candidate), and a job whose grading was started before is graded alone,
 * so a submission that kills its grader cannot take batch-mates down with it
 * again.
 */
class BatchGrader {
  #pending: Pending[] = [];
  #running = 0;
  #scheduled = false;

  constructor(
    private readonly options: WorkerOptions,
    private readonly log: (event: WorkerEvent) => void,
  ) {}

  grade(request: Pending["request"], options: Pick<Pending, "timeoutMs" | "alone" | "label" | "begin">): Promise<Results> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ request, ...options, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#running >= this.options.concurrency || this.#pending.length === 0) return;
    this.#scheduled = true;
    // A moment for BullMQ to hand over the other jobs it is fetching, so the batch fills.
    setTimeout(() => {
      this.#scheduled = false;
      this.#startBatch();
      this.#schedule();
    }, 100);
  }

  #take(): Pending[] {
    const first = this.#pending.shift()!;
    if (first.alone) return [first];
    const batch = [first];
    for (let index = 0; index < this.#pending.length && batch.length < this.options.batch; ) {
      const next = this.#pending[index]!;
      if (!next.alone && next.timeoutMs === first.timeoutMs && !batch.some((b) => b.request.folder === next.request.folder)) {
        batch.push(next);
        this.#pending.splice(index, 1);
      } else index++;
    }
    return batch;
  }

  #startBatch(): void {
    if (this.#running >= this.options.concurrency || this.#pending.length === 0) return;
    const batch = this.#take();
    this.#running++;
    this.#run(batch)
      .then(
        (results) => batch.forEach((pending, index) => pending.resolve(results[index]!)),
        (error: unknown) => batch.forEach((pending) => pending.reject(error)),
      )
      .finally(() => {
        this.#running--;
        this.#schedule();
      });
  }

  async #run(batch: Pending[]): Promise<Results[]> {
    await Promise.all(batch.map((pending) => pending.begin()));
    this.log({ event: "grading", jobs: batch.map((p) => p.label) });
    const requests: GradeRequest[] = batch.map(({ request }) => {
      // Staged by content: identical submissions share one file (written whole, by rename, so a
      // concurrent batch never reads half of it), and grading's per-candidate caches stay bounded.
      const candidate = path.join(this.options.root, ".queuecraft", "staging", `sha-${request.sha256.slice(0, 24)}`, request.challenge, "challenge.ts");
      if (!existsSync(candidate)) writeFileAtomic(candidate, request.source);
      // The same display name as local grading, so messages read the same.
      return { folder: request.folder, candidate, displayName: `${request.challenge}/challenge.ts` };
    });
    return grade(requests, { root: this.options.root, timeoutMs: batch[0]!.timeoutMs, env: this.options.env });
  }
}

function validJobData(data: unknown): GradingJobData {
  const d = data as Partial<GradingJobData> | null;
  if (!d || typeof d.student !== "string" || typeof d.challenge !== "string" || typeof d.source !== "string" || typeof d.sha256 !== "string" || typeof d.timeoutMs !== "number") {
    throw new UnrecoverableError("malformed job data");
  }
  if (sha256(d.source) !== d.sha256) throw new UnrecoverableError("the submitted source does not match its sha256");
  return d as GradingJobData;
}

/**
 * Serves grading runs until `signal` aborts, one run at a time, staying with a
 * run until it ends: then stops taking jobs, finishes the ones it holds and
 * closes everything.
 * Returns how many jobs it completed.
 */
export async function serveGrading(redisUrl: string, options: WorkerOptions, signal: AbortSignal): Promise<{ graded: number }> {
  const { log } = options;
  const fingerprint = courseFingerprint(options.root, options.lessons).slice(0, 16);
  const lessons = new Map(options.lessons.flatMap((lesson) => (lesson.folder ? [[lesson.meta.id, lesson] as const] : [])));
  const me = `${os.hostname()}:${process.pid}`;
  let lastError = 0;
  // Redis restarting or unreachable: say so now and then, and keep going (ioredis reconnects).
  const reportError = (error: Error) => {
    if (Date.now() - lastError > 10_000) log({ event: "redis-error", message: error.message });
    lastError = Date.now();
  };
  const redis = await connectRedis(redisUrl, { waitForever: true, onError: reportError });
  log({ event: "ready", course: fingerprint });
  const grader = new BatchGrader(options, log);
  const said = new Set<string>();
  let graded = 0;
  let current: { queue: string; worker: Worker<GradingJobData, Status> } | undefined;

  const processJob = async (job: Job<GradingJobData, Status>, queueName: string): Promise<Status> => {
    const data = validJobData(job.data);
    const lesson = lessons.get(data.challenge);
    if (!lesson) throw new UnrecoverableError(`this course has no challenge "${data.challenge}"`);
    const keys = runKeys(queueName);
    const id = job.id!;
    // Graded already by an attempt that died before completing the job: reuse, never regrade.
    const stored = await redis.hget(keys.results, id);
    if (stored !== null) {
      const results = JSON.parse(stored) as Results;
      log({ event: "graded", job: label(data), status: results.status, reused: true });
      return results.status;
    }
    const started = Number((await redis.hget(keys.starts, id)) ?? 0);
    if (started >= POISON_STARTS) {
      throw new UnrecoverableError(`its grading was started ${started} times and the worker died each time (does the submission kill or exhaust the process that grades it?)`);
    }
    const results = await grader.grade(
      { folder: lesson.folder!, challenge: data.challenge, source: data.source, sha256: data.sha256 },
      { timeoutMs: data.timeoutMs, alone: started > 0, label: label(data), begin: () => redis.hincrby(keys.starts, id, 1) },
    );
    // First writer wins: a second grading of the same submission changes nothing.
    await redis.hsetnx(keys.results, id, JSON.stringify(results));
    graded++;
    log({ event: "graded", job: label(data), status: results.status, reused: false });
    return results.status;
  };

  const join = (queueName: string) => {
    const worker = new Worker<GradingJobData, Status>(queueName, (job) => processJob(job, queueName), {
      connection: redis,
      prefix: PREFIX,
      name: me,
      concurrency: options.concurrency * options.batch,
      lockDuration: options.lockMs,
      stalledInterval: options.lockMs,
      maxStalledCount: MAX_STALLS,
    });
    worker.on("error", reportError);
    worker.on("stalled", (jobId) => log({ event: "stalled", jobId }));
    worker.on("failed", (job, error) => {
      if (job && (error.name === "UnrecoverableError" || job.attemptsMade >= (job.opts.attempts ?? 1))) log({ event: "failed", job: label(job.data), reason: error.message });
    });
    log({ event: "joined", queue: queueName });
    return { queue: queueName, worker };
  };

  try {
    while (!signal.aborted) {
      const now = Date.now();
      const live = await redis.zrangebyscore(RUNS_KEY, now, "+inf");
      for (const abandoned of await redis.zrangebyscore(RUNS_KEY, "-inf", now - ABANDONED_MS)) {
        // ZREM answers 1 to one worker only: that one deletes the run.
        if ((await redis.zrem(RUNS_KEY, abandoned)) === 1) {
          await deleteRun(redis, abandoned).then(
            () => log({ event: "reaped", queue: abandoned }),
            (error: Error) => reportError(error),
          );
        }
      }
      if (current && !live.includes(current.queue)) {
        await current.worker.close();
        // A run that ended (deregistered, not merely late with its lease):
        // the producer deleted its keys, but until this poll our BullMQ
        // worker kept running its scripts (the stalled-job check, a fetch),
        // which write the queue's meta and stalled-check again. Closed, it
        // writes nothing more: delete what it left.
        if ((await redis.zscore(RUNS_KEY, current.queue)) === null) await deleteRun(redis, current.queue).catch((error: Error) => reportError(error));
        log({ event: "left", queue: current.queue });
        current = undefined;
      }
      for (const queueName of live) {
        if (fingerprintOfQueue(queueName) === fingerprint || said.has(queueName)) continue;
        said.add(queueName);
        const mismatched = runKeys(queueName).mismatched;
        await redis.sadd(mismatched, `${me} (course ${fingerprint})`);
        // Deleted with the run; the expiry covers a run that ended between the two calls.
        await redis.expire(mismatched, 86_400);
        log({ event: "skipped", queue: queueName, reason: `its course differs from this checkout (run: course ${fingerprintOfQueue(queueName) ?? "unknown"}; here: course ${fingerprint})` });
      }
      const next = live.find((queueName) => fingerprintOfQueue(queueName) === fingerprint);
      if (!current && next) current = join(next);
      await sleep(WORKER_POLL_MS, signal);
    }
  } finally {
    // Graceful: the BullMQ worker stops fetching and waits for the jobs it holds.
    await current?.worker.close();
    if (current) log({ event: "left", queue: current.queue });
    await redis.quit().catch(() => redis.disconnect());
  }
  return { graded };
}

/** Force-stops this process's grading children (second SIGTERM): each is the leader of its own process group. */
export function killGradingChildren(): void {
  if (process.platform !== "linux") return;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent's pid; the command name (field 2) may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === process.pid) process.kill(-Number(entry), "SIGKILL");
    } catch {
      // Gone already, or not a group leader (a service's server: services.stop() ends those).
    }
  }
}
