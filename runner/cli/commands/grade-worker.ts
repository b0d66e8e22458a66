// `npm run grade-worker -- --redis <url>`: grades the jobs of every
// `npm run grade -- --redis <url>` run on that Redis, on any machine with the
// course checked out. SIGTERM (or Ctrl-C) drains: no new jobs, the held ones
// finished; a second one stops at once (the held jobs go to other workers
// when their locks expire).
//
// `--bench` measures throughput with 1, 2, 4… worker processes against one
// local Redis on a generated class, through the real commands.

import os from "node:os";
import { gradableLessons } from "../course.ts";
import { EXIT, numberFlag, UsageError, type Command, type Context } from "../args.ts";
import { RedisUnavailable } from "../../classroom/distributed/registry.ts";
import { killGradingChildren, serveGrading, type WorkerEvent } from "../../classroom/distributed/worker.ts";
import { provideServices, type RunningServices } from "../../process/services/provide.ts";
import { ServiceUnavailable } from "../../process/services/server.ts";
import { bench } from "./grade-worker-bench.ts";

function describe(event: WorkerEvent, options: { redis: string; concurrency: number; batch: number }): { text: string; error?: boolean } | undefined {
  switch (event.event) {
    case "ready":
      return { text: `Ready: waiting for grading runs on ${options.redis} (course ${event.course}; ${options.concurrency} grading process(es) × ${options.batch} jobs)` };
    case "joined":
      return { text: `Joined run ${event.queue}` };
    case "left":
      return { text: `Left run ${event.queue}` };
    case "skipped":
      return { text: `Not joining run ${event.queue}: ${event.reason}`, error: true };
    case "grading":
      return { text: `Grading ${event.jobs.length}: ${event.jobs.join(", ")}` };
    case "graded":
      return { text: `  ${event.job}: ${event.status}${event.reused ? " (stored result reused)" : ""}` };
    case "stalled":
      return { text: `Job ${event.jobId} stalled (its worker died or lost its lock): it will be graded again`, error: true };
    case "failed":
      return { text: `Dead letter: ${event.job}: ${event.reason}`, error: true };
    case "reaped":
      return { text: `Deleted abandoned run ${event.queue}` };
    case "redis-error":
      return { text: `Redis: ${event.message} (retrying)`, error: true };
  }
}

async function work(context: Context, redisUrl: string, options: { concurrency: number; batch: number; lockMs: number }): Promise<number> {
  if (process.env.REDIS_URL && process.env.REDIS_URL === redisUrl) {
    throw new UsageError("REDIS_URL is the queue's own Redis: candidates get REDIS_URL and could wipe the queue. Unset it (the worker then starts a throwaway one for them)");
  }
  const lessons = gradableLessons(context);
  if (!lessons) return EXIT.failed;
  // Signals are ours from here on, so nothing this command starts is left behind.
  const stop = new AbortController();
  let services: RunningServices | undefined;
  let signals = 0;
  const onSignal = () => {
    if (++signals === 1) {
      if (!context.json) context.err("Draining: finishing the jobs this worker holds, taking no new ones (signal again to stop now)");
      stop.abort();
      return;
    }
    // Stop now: the held jobs stall and other workers take them once their locks expire.
    killGradingChildren();
    void (services?.stop() ?? Promise.resolve()).finally(() => process.exit(EXIT.failed));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  const counts: Record<string, number> = {};
  try {
    services = await provideServices(lessons.flatMap((lesson) => lesson.meta.services));
    const { graded } = await serveGrading(
      redisUrl,
      {
        root: context.root,
        lessons,
        ...options,
        env: services.env,
        log: (event) => {
          counts[event.event] = (counts[event.event] ?? 0) + 1;
          if (context.json) return;
          const line = describe(event, { redis: redisUrl, ...options });
          if (line) (line.error ? context.err : context.out)(line.error ? context.style.yellow(line.text) : line.text);
        },
      },
      stop.signal,
    );
    if (context.json) context.out(JSON.stringify({ graded, runs: counts.joined ?? 0, stalled: counts.stalled ?? 0, deadLetters: counts.failed ?? 0 }));
    else context.out(`Stopped after grading ${graded} job(s).`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof RedisUnavailable || error instanceof ServiceUnavailable)) throw error;
    context.err(`Cannot work: ${error.message}`);
    return EXIT.failed;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await services?.stop();
  }
}

// ---------------------------------------------------------------------------
// --bench

export const gradeWorkerCommand: Command = {
  summary:
    "Grades the jobs of `npm run grade -- --redis <url>` runs with this checkout's hidden tests, until SIGTERM (which drains). --bench measures throughput with 1, 2, 4 worker processes on a generated class.",
  usage:
    "npm run grade-worker -- --redis <url> [--concurrency <n>] [--batch <n>] [--lock-seconds <s>] [--json]\n       npm run grade-worker -- --bench [--class <students>] [--workers 1,2,4] [--lessons <id,id>] [--local] [--concurrency <n>] [--batch <n>] [--json]",
  flags: { redis: "string", concurrency: "string", batch: "string", "lock-seconds": "string", bench: "boolean", class: "string", workers: "string", lessons: "string", local: "boolean" },
  async run(context, args) {
    if (args.positional.length > 0) throw new UsageError(`unexpected argument: ${args.positional[0]}`);
    const batch = numberFlag(args, "batch", 8, { min: 1, max: 64 });
    if (args.flags.has("bench")) {
      const workers = String(args.flags.get("workers") ?? "1,2,4").split(",").map(Number);
      if (workers.some((k) => !Number.isInteger(k) || k < 1 || k > 32)) throw new UsageError("--workers should list worker counts, like 1,2,4");
      const only = typeof args.flags.get("lessons") === "string" ? (args.flags.get("lessons") as string).split(",") : undefined;
      return bench(context, { students: numberFlag(args, "class", 100, { min: 1, max: 1000 }), workers, concurrency: numberFlag(args, "concurrency", 1, { min: 1, max: 64 }), batch, only, local: args.flags.has("local") });
    }
    const redis = args.flags.get("redis");
    if (typeof redis !== "string") throw new UsageError("name the queue's Redis: --redis redis://host:6379");
    return work(context, redis, {
      concurrency: numberFlag(args, "concurrency", Math.max(1, os.availableParallelism()), { min: 1, max: 64 }),
      batch,
      lockMs: numberFlag(args, "lock-seconds", 30, { min: 1, max: 3600 }) * 1000,
    });
  },
};
