// The worker of distributed grading: discovers runs in the registry, grades
// their jobs in small batches (one vitest start-up per batch) and stores each
// result once, under its submission key; SIGTERM drains.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { writeFileAtomic } from "../../learner/atomic-file.ts";
import type { Lesson } from "../../course/catalog.ts";
import { courseFingerprint, sha256 } from "../../grading/graded-record.ts";
import { grade } from "../../grading/grade.ts";
import type { GradeRequest } from "../../grading/wrapper.ts";
import { type Results, type Status } from "../../grading/results.ts";
import { PREFIX, RUNS_KEY, ABANDONED_MS, WORKER_POLL_MS, POISON_STARTS, MAX_STALLS, type GradingJobData, fingerprintOfQueue, runKeys, connectRedis, sleep, deleteRun } from "./registry.ts";

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
