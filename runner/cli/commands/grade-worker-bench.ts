// `npm run grade-worker -- --bench`: throughput of distributed grading with
// 1, 2, 4… worker processes against one local Redis, on a generated class,
// through the real commands; every run's verdicts are compared cell by cell.

import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { materialiseMutants } from "../../authoring/checks.ts";
import { challengeFiles, type Lesson } from "../../course/catalog.ts";
import { installRoot } from "../../process/install-root.ts";
import { gradableLessons } from "../course.ts";
import { EXIT, UsageError, type Context } from "../args.ts";
import type { StudentResults } from "../../classroom/gradebook.ts";
import type { Results } from "../../grading/results.ts";
import { provideServices } from "../../process/services/provide.ts";

/**
 * A class of `students` from the course's own answers, the same every time:
 * most cells the reference solution, some a mutant (a plausible wrong
 * answer), some the untouched stub, a few not submitted.
 */
export function generateClass(root: string, lessons: Lesson[], students: number, dir: string): number {
  let submissions = 0;
  const wrong = new Map(lessons.map((lesson) => [lesson.meta.id, materialiseMutants(root, lesson, challengeFiles(root, lesson)!).mutants.map((m) => m.file)]));
  for (let s = 1; s <= students; s++) {
    const student = `student-${String(s).padStart(3, "0")}`;
    for (const lesson of lessons) {
      const files = challengeFiles(root, lesson)!;
      const roll = createHash("sha256").update(`${student}/${lesson.meta.id}`).digest()[0]! % 100;
      const mutants = wrong.get(lesson.meta.id)!;
      const source = roll < 70 ? files.solution : roll < 85 && mutants.length ? mutants[roll % mutants.length]! : roll < 95 ? files.stub : undefined;
      if (!source) continue;
      const target = path.join(dir, student, lesson.meta.id, "challenge.ts");
      mkdirSync(path.dirname(target), { recursive: true });
      cpSync(source, target);
      submissions++;
    }
  }
  return submissions;
}

/** The status and the failing tests ("fail (adds two numbers)", "error: Timed out…"), without messages. */
export function verdict(json: string | undefined): string {
  if (!json) return "missing";
  const results = JSON.parse(json) as Results;
  const failing = results.tests.filter((test) => test.status !== "pass");
  if (results.message) return `${results.status}: ${results.message.split("\n")[0]!}`;
  return failing.length ? `${results.status} (${failing.map((test) => test.name).join("; ")})` : `${results.status} (${results.tests.length} tests)`;
}

/** The processes --bench started, so Ctrl-C can end them too. */
export const benchChildren = new Set<ChildProcess>();

export function spawnTracked(bin: string, args: string[], env: NodeJS.ProcessEnv, stdio: Array<"ignore" | "pipe">): ChildProcess {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: stdio as ["ignore", "pipe", "pipe"] });
  benchChildren.add(child);
  child.once("exit", () => benchChildren.delete(child));
  return child;
}

export function startWorker(bin: string, env: NodeJS.ProcessEnv, args: string[]): Promise<ChildProcess> {
  const child = spawnTracked(bin, ["grade-worker", ...args], env, ["ignore", "pipe", "pipe"]);
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`a worker did not get ready in 120 s: ${seen.slice(-400)}`)), 120_000);
    child.stderr!.on("data", (chunk: Buffer) => (seen += chunk));
    child.stdout!.on("data", (chunk: Buffer) => {
      seen += chunk;
      if (seen.includes("Ready:")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`a worker exited with ${code} before it was ready: ${seen.slice(-400)}`));
    });
  });
}

export function stopWorker(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export type Verdicts = Map<string, string>;

/** Runs `grade` (the real command) and returns its wall time and each cell's verdict. */
export function timeGrade(bin: string, env: NodeJS.ProcessEnv, args: string[]): Promise<{ seconds: number; results: Verdicts }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawnTracked(bin, ["grade", ...args, "--json"], env, ["ignore", "ignore", "pipe"]);
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk));
    child.once("exit", (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`grade exited with ${code}: ${stderr.slice(-400)}`));
      const out = args[args.indexOf("--out") + 1]!;
      const book = JSON.parse(readFileSync(path.join(out, "gradebook.json"), "utf8")) as { results: StudentResults[] };
      const results: Verdicts = new Map(book.results.flatMap(({ student, challenges }) => Object.entries(challenges).map(([id, r]) => [`${student}/${id}`, JSON.stringify(r)])));
      resolve({ seconds, results });
    });
  });
}

export async function bench(context: Context, args: { students: number; workers: number[]; concurrency: number; batch: number; only?: string[]; local: boolean }): Promise<number> {
  const all = gradableLessons(context);
  if (!all) return EXIT.failed;
  const lessons = args.only ? all.filter((lesson) => args.only!.includes(lesson.meta.id)) : all;
  if (lessons.length === 0) throw new UsageError(`no such challenges: ${args.only?.join(", ")}`);
  const log = (text: string) => !context.json && context.err(context.style.dim(text));
  const bin = path.join(installRoot(), "runner", "bin.mjs");
  const scratch = mkdtempSync(path.join(os.tmpdir(), "queuecraft-grade-bench-"));
  const queueRedis = await provideServices(["redis"]);
  const url = queueRedis.env.REDIS_URL!;
  const onSignal = () => {
    for (const child of benchChildren) child.kill("SIGTERM");
    void queueRedis.stop().finally(() => {
      rmSync(scratch, { recursive: true, force: true });
      process.exit(EXIT.failed);
    });
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // Workers start their own servers for candidates; the queue's Redis is theirs only through --redis.
  const env: NodeJS.ProcessEnv = { ...process.env, QUEUECRAFT_ROOT: context.root, CI: "true", NO_COLOR: "1", REDIS_URL: "" };
  const rows: Array<{ mode: string; workers: number; seconds: number; jobsPerSecond: number; sameVerdicts: boolean; messagesDiffer: number }> = [];
  const differences: string[] = [];
  const load = () => os.loadavg()[0]!.toFixed(1);
  const loadBefore = load();
  try {
    const classDir = path.join(scratch, "class");
    const submissions = generateClass(context.root, lessons, args.students, classDir);
    log(`class: ${args.students} students × ${lessons.length} challenges = ${submissions} submissions; load average ${loadBefore} on ${os.availableParallelism()} cores`);
    let reference: Verdicts | undefined;
    const record = (mode: string, workers: number, run: { seconds: number; results: Verdicts }) => {
      reference ??= run.results;
      const differ = [...reference.keys()].filter((cell) => reference!.get(cell) !== run.results.get(cell));
      // A verdict is the status and which tests failed; a message alone may differ where a hidden
      // test reports a race's outcome (how many of N processes collided), which no grader controls.
      const verdictDiffers = differ.filter((cell) => verdict(reference!.get(cell)) !== verdict(run.results.get(cell)));
      for (const cell of differ) {
        const what = verdictDiffers.includes(cell) ? `${verdict(reference.get(cell))} then ${verdict(run.results.get(cell))}` : `same verdict, ${verdict(run.results.get(cell))}, another message`;
        differences.push(`${mode}${workers ? ` k=${workers}` : ""} ${cell}: ${what}`);
      }
      rows.push({ mode, workers, seconds: run.seconds, jobsPerSecond: submissions / run.seconds, sameVerdicts: verdictDiffers.length === 0, messagesDiffer: differ.length - verdictDiffers.length });
      log(`${mode}${workers ? ` k=${workers}` : ""}: ${run.seconds.toFixed(1)} s, ${(submissions / run.seconds).toFixed(2)} jobs/s`);
    };
    if (args.local) record("local", 0, await timeGrade(bin, env, [classDir, "--out", path.join(scratch, "out-local")]));
    for (const k of args.workers) {
      log(`starting ${k} worker process(es)…`);
      const workers: ChildProcess[] = [];
      try {
        for (let i = 0; i < k; i++) workers.push(await startWorker(bin, env, ["--redis", url, "--concurrency", String(args.concurrency), "--batch", String(args.batch)]));
        record("distributed", k, await timeGrade(bin, env, [classDir, "--out", path.join(scratch, `out-${k}`), "--redis", url, "--worker-wait", "120"]));
      } finally {
        await Promise.all(workers.map(stopWorker));
      }
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await queueRedis.stop();
    // Kept when runs disagree, to see why (gradebook.json and results/ of each run).
    if (differences.length === 0) rmSync(scratch, { recursive: true, force: true });
  }
  const base = rows.find((row) => row.mode === "distributed") ?? rows[0]!;
  const summary = {
    cores: os.availableParallelism(),
    loadBefore: Number(loadBefore),
    loadAfter: Number(load()),
    rows: rows.map((row) => ({ ...row, speedup: row.jobsPerSecond / base.jobsPerSecond })),
    differences,
    ...(differences.length ? { kept: scratch } : {}),
  };
  if (context.json) {
    context.out(JSON.stringify(summary));
  } else {
    context.out(context.style.bold(`${"mode".padEnd(12)}${"workers".padStart(8)}${"seconds".padStart(10)}${"jobs/s".padStart(9)}${"ratio".padStart(8)}  same verdicts as the first run`));
    for (const row of summary.rows) {
      const same = row.sameVerdicts ? `yes${row.messagesDiffer ? ` (${row.messagesDiffer} message(s) differ)` : ""}` : context.style.red("NO");
      context.out(`${row.mode.padEnd(12)}${String(row.workers || "-").padStart(8)}${row.seconds.toFixed(1).padStart(10)}${row.jobsPerSecond.toFixed(2).padStart(9)}${row.speedup.toFixed(2).padStart(8)}  ${same}`);
    }
    context.out(context.style.dim(`${summary.cores} cores; load average ${summary.loadBefore} before, ${summary.loadAfter} after (a shared machine is noisy)`));
    if (differences.length) context.out(`Results that differ from the first run's, kept in ${scratch}:\n  ${differences.slice(0, 20).join("\n  ")}`);
  }
  return rows.every((row) => row.sameVerdicts) ? EXIT.ok : EXIT.failed;
}
