// `npm run grade <submissions-dir>`: grades a class. One folder per student,
// laid out like the learner's workspace (<student>/<lesson-id>/challenge.ts).
// Always the course's own hidden tests; only challenge.ts is read from a
// submission. A student whose code crashes, hangs or floods gets "error" for
// that challenge and the class goes on.
//
// Locally by default; with --redis <url>, one BullMQ job per (student,
// challenge) on that Redis, graded by `npm run grade-worker` processes on any
// machines with the course checked out. The output files are the same either
// way, plus report.html: the class report to look at.

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { challengeFiles, loadCatalog, type Lesson } from "../../course/catalog.ts";
import { installRoot } from "../../process/install-root.ts";
import { EXIT, numberFlag, UsageError, type Command, type Context } from "../args.ts";
import { printProblems } from "../course.ts";
import type { DeadLetter, Submission } from "../../classroom/distributed/registry.ts";
import { buildGradebook, gradebookCsv, gradebookJunit, type StudentResults } from "../../classroom/gradebook.ts";
import { gradedRecord, sha256 } from "../../grading/graded-record.ts";
import { childBundleDir, pruneBundles } from "../../process/bundle.ts";
import { grade } from "../../grading/grade.ts";
import { stageCandidate } from "../../grading/wrapper.ts";
import { classReport } from "../../classroom/report.ts";
import { notSubmitted } from "../../classroom/stats.ts";
import type { Results } from "../../grading/results.ts";
import { runFolder } from "../../process/scratch.ts";
import { provideServices } from "../../process/services/provide.ts";
import { ServiceUnavailable } from "../../process/services/server.ts";
import { groupStudents } from "../../classroom/groups.ts";

/** Why the class could not be graded at all: one line, exit 1. */
class CannotGrade extends Error {}

const submissionFile = (dir: string, student: string, lesson: Lesson) => path.join(dir, student, lesson.meta.id, "challenge.ts");

/** The student's results for every challenge: graded ones from `graded`, the rest "not submitted". */
function studentResults(dir: string, student: string, lessons: Lesson[], graded: (lesson: Lesson) => Results): StudentResults {
  const challenges: Record<string, Results> = {};
  for (const lesson of lessons) challenges[lesson.meta.id] = existsSync(submissionFile(dir, student, lesson)) ? graded(lesson) : notSubmitted(lesson.meta.id);
  return { student, challenges };
}

interface Submitted {
  student: string;
  lesson: Lesson;
  sha256: string;
  /** (challenge, sha256 of the file): equal keys get the same grade. */
  key: string;
}

/**
 * Grades a group's files in one grading run: vitest starts once for all of
 * them. Every file is graded in isolation from the others, and a crash is
 * pinned on its own file (see grading/grade.ts).
 */
async function gradeGroup(
  context: Context,
  dir: string,
  files: Submitted[],
  options: { timeoutMs: number; services: Promise<Record<string, string>>; onFileDone: () => void; staging: string },
): Promise<Results[]> {
  const requests = files.map(({ student, lesson }) => ({
    folder: lesson.folder!,
    candidate: stageCandidate(context.root, submissionFile(dir, student, lesson), options.staging),
    displayName: `${lesson.meta.id}/challenge.ts`,
  }));
  // Forks: one student's code must not be able to kill this command (and the class with it).
  return grade(requests, { root: context.root, timeoutMs: options.timeoutMs, services: options.services, onFileDone: options.onFileDone, pool: "forks", oneOff: true });
}

function progressLine(context: Context, done: number, total: number, what: string): void {
  if (context.json) return;
  const width = 24;
  const filled = Math.round((done / total) * width);
  const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${what}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${bar.padEnd(70)}${done === total ? "\n" : ""}`);
  else context.err(bar);
}

/** Grades here, in groups of students, `parallel` groups at a time, with servers started for the run. */
async function gradeLocally(
  context: Context,
  dir: string,
  students: string[],
  lessons: Lesson[],
  options: { timeoutMs: number; parallel: number; force: boolean },
): Promise<{ graded: StudentResults[]; reused: number; recorded: number }> {
  const submitted: Submitted[] = students.flatMap((student) =>
    lessons
      .filter((lesson) => existsSync(submissionFile(dir, student, lesson)))
      .map((lesson) => {
        const digest = sha256(readFileSync(submissionFile(dir, student, lesson)));
        return { student, lesson, sha256: digest, key: `${lesson.meta.id}\0${digest}` };
      }),
  );
  // A file the same, byte for byte, as another (an untouched stub, a shared
  // starter) is graded once, and every copy gets that grade; one graded by an
  // earlier run with the same hidden tests and time limit is not graded again.
  const record = gradedRecord(context.root, lessons, options.timeoutMs, path.join(installRoot(), "runner"));
  const graded = new Map<string, Results>();
  const firstOfEach = new Map<string, Submitted>();
  for (const file of submitted) if (!firstOfEach.has(file.key)) firstOfEach.set(file.key, file);
  const fresh: Submitted[] = [];
  for (const file of firstOfEach.values()) {
    const earlier = options.force ? undefined : record.get(file.lesson.meta.id, file.sha256);
    if (earlier) graded.set(file.key, earlier);
    else fresh.push(file);
  }
  const recorded = graded.size;
  const reused = submitted.length - fresh.length - recorded;
  // Servers start while the first grading child loads vitest.
  const starting = provideServices(fresh.flatMap((file) => file.lesson.meta.services));
  const services = starting.then((running) => running.env);
  services.catch(() => {}); // grade() reports it; this keeps an early failure from counting as unhandled
  const owners = [...new Set(fresh.map(({ student }) => student))];
  const groups = groupStudents(owners, options.parallel).map((group) => fresh.filter(({ student }) => group.includes(student)));
  let done = submitted.length - fresh.length;
  // A file graded again after a crash would count twice: the bar stops at the total.
  const onFileDone = () => done < submitted.length && progressLine(context, ++done, submitted.length, "submissions graded");
  // This run's copies of the submissions, removed at the end: grading class after class must not fill the disk.
  const { folder: staging, remove: removeStaging } = runFolder(path.join(context.root, ".queuecraft", "staging"), "grade-");
  try {
    let next = 0;
    const worker = async () => {
      while (next < groups.length) {
        const files = groups[next++]!;
        const results = await gradeGroup(context, dir, files, { timeoutMs: options.timeoutMs, services, onFileDone, staging });
        files.forEach(({ key, lesson, sha256 }, index) => {
          graded.set(key, results[index]!);
          record.put(lesson.meta.id, sha256, results[index]!);
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.parallel, groups.length) }, worker));
  } catch (error) {
    if (error instanceof ServiceUnavailable) throw new CannotGrade(error.message);
    throw error;
  } finally {
    removeStaging();
    // Worker processes that hidden tests started ran bundles of these submissions (lessons/_kit/spawn-ts.ts).
    pruneBundles(childBundleDir(context.root));
    await starting.then((running) => running.stop(), () => {});
  }
  const resultOf = new Map(submitted.map(({ student, lesson, key }) => [`${student}\0${lesson.meta.id}`, graded.get(key)!]));
  return { graded: students.map((student) => studentResults(dir, student, lessons, (lesson) => resultOf.get(`${student}\0${lesson.meta.id}`)!)), reused, recorded };
}

/** Grades through BullMQ on `redisUrl`; Ctrl-C stops the run and deletes its jobs. */
async function gradeOnRedis(
  context: Context,
  dir: string,
  students: string[],
  lessons: Lesson[],
  options: { timeoutMs: number; redisUrl: string; workerWaitMs: number },
): Promise<{ graded: StudentResults[]; deadLetters: DeadLetter[]; retried: number; queue: string }> {
  const submissions: Submission[] = students.flatMap((student) =>
    lessons.filter((lesson) => existsSync(submissionFile(dir, student, lesson))).map((lesson) => ({ student, challenge: lesson.meta.id, file: submissionFile(dir, student, lesson) })),
  );
  // Loaded here, not at the top: BullMQ and ioredis cost ~0.4 s to load, which a local run need not pay.
  const { GradingAborted, RedisUnavailable } = await import("../../classroom/distributed/registry.ts");
  const { gradeOnQueue } = await import("../../classroom/distributed/producer.ts");
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const run = await gradeOnQueue({
      root: context.root,
      redisUrl: options.redisUrl,
      lessons,
      submissions,
      timeoutMs: options.timeoutMs,
      workerWaitMs: options.workerWaitMs,
      signal: interrupt.signal,
      onProgress: (done, total, submission) => progressLine(context, done, total, `${submission.student}/${submission.challenge}`),
      onNotice: (text) => context.err(context.style.yellow(text)),
    });
    const byKey = new Map(submissions.map((submission, index) => [`${submission.student}\0${submission.challenge}`, run.results[index]!]));
    const graded = students.map((student) => studentResults(dir, student, lessons, (lesson) => byKey.get(`${student}\0${lesson.meta.id}`)!));
    return { graded, deadLetters: run.deadLetters, retried: run.retried, queue: run.queue };
  } catch (error) {
    if (error instanceof RedisUnavailable || error instanceof GradingAborted) throw new CannotGrade(error.message);
    throw error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

export const gradeCommand: Command = {
  summary:
    "Grades every student's challenges with the course's hidden tests; writes gradebook.csv, gradebook.json, JUnit XML, report.html and a results.json per student per challenge. A submission an earlier run graded with the same hidden tests and time limit keeps that grade (--force grades everything again). With --redis, the work goes to `npm run grade-worker` processes over BullMQ.",
  usage: "npm run grade <submissions-dir> [-- --out <dir>] [--json] [--timeout <seconds>] [--parallel <groups>] [--force] [--redis <url> [--worker-wait <seconds>]]",
  flags: { out: "string", timeout: "string", parallel: "string", force: "boolean", redis: "string", "worker-wait": "string" },
  async run(context, args) {
    const dir = args.positional[0];
    if (!dir || args.positional.length > 1) throw new UsageError("name the folder of submissions (one folder per student)");
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`no such folder: ${dir}`);
    const timeoutMs = numberFlag(args, "timeout", 60, { min: 1, max: 3600 }) * 1000;
    // A grading run has a vitest worker per core, plus one, yet two groups at
    // once are faster: one group's tail (its last long files, the processes and
    // timers it waits on) leaves cores idle that the other uses (16 students on
    // 2 cores: 69 s with one, 58 s with two, in alternating runs).
    const parallel = numberFlag(args, "parallel", 2, { min: 1, max: 64 });
    const redisUrl = args.flags.get("redis");
    if (redisUrl !== undefined && typeof redisUrl !== "string") throw new UsageError("--redis needs a URL, like redis://127.0.0.1:6379");
    if (args.flags.has("worker-wait") && !redisUrl) throw new UsageError("--worker-wait goes with --redis");
    if (args.flags.has("force") && redisUrl) throw new UsageError("--force is for local grading: a --redis run grades every submission");
    const workerWaitMs = numberFlag(args, "worker-wait", 120, { min: 1, max: 86_400 }) * 1000;
    const out = path.resolve(typeof args.flags.get("out") === "string" ? (args.flags.get("out") as string) : path.join(dir, "..", "gradebook"));
    const catalog = loadCatalog(context.root);
    if (catalog.problems.length) {
      printProblems(context, catalog.problems);
      return EXIT.failed;
    }
    const lessons = catalog.lessons.filter((lesson) => challengeFiles(context.root, lesson));
    const students = readdirSync(dir)
      .filter((name) => !name.startsWith(".") && statSync(path.join(dir, name)).isDirectory())
      .sort();
    let graded: StudentResults[];
    let reused = 0;
    let recorded = 0;
    let distributed: { deadLetters: DeadLetter[]; retried: number; queue: string } | undefined;
    try {
      if (redisUrl) ({ graded, ...distributed } = await gradeOnRedis(context, dir, students, lessons, { timeoutMs, redisUrl, workerWaitMs }));
      else ({ graded, reused, recorded } = await gradeLocally(context, dir, students, lessons, { timeoutMs, parallel, force: args.flags.has("force") }));
    } catch (error) {
      if (!(error instanceof CannotGrade)) throw error;
      context.err(`Cannot grade: ${error.message}`);
      return EXIT.failed;
    }
    const ids = lessons.map((lesson) => lesson.meta.id);
    const book = buildGradebook(ids, graded);
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "gradebook.csv"), gradebookCsv(book));
    writeFileSync(path.join(out, "gradebook.json"), `${JSON.stringify({ ...book, results: graded, ...(distributed ? { deadLetters: distributed.deadLetters } : {}) }, null, 2)}\n`);
    writeFileSync(path.join(out, "junit.xml"), gradebookJunit(graded));
    for (const { student, challenges } of graded) {
      for (const [id, results] of Object.entries(challenges)) {
        const file = path.join(out, "results", student, id, "results.json");
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
      }
    }
    writeFileSync(
      path.join(out, "report.html"),
      classReport({
        title: `Class report: ${path.basename(path.resolve(dir))}`,
        generatedAt: new Date(),
        gradedBy: redisUrl ? "by grade-worker processes over BullMQ" : "locally",
        book,
        results: graded,
        deadLetters: distributed?.deadLetters,
      }),
    );
    if (context.json) {
      context.out(JSON.stringify({ out, ...book, ...distributed, ...(redisUrl ? {} : { reused, recorded }) }));
      return EXIT.ok;
    }
    const { style } = context;
    const width = Math.max(7, ...students.map((s) => s.length));
    context.out(style.bold(`${"student".padEnd(width)}  passed  errors`));
    for (const row of book.students) {
      const errors = Object.values(row.statuses).filter((s) => s === "error").length;
      context.out(`${row.student.padEnd(width)}  ${`${row.passed}/${row.total}`.padEnd(6)}  ${errors ? style.red(String(errors)) : "0"}`);
    }
    const rate = (id: string) => book.students.filter((row) => row.statuses[id] === "pass").length;
    context.out(style.dim(`\nPass rate per challenge: ${ids.map((id) => `${id} ${rate(id)}/${students.length}`).join(", ")}`));
    if (reused) context.out(style.dim(`${reused} submission(s) were byte for byte the same as one graded before in this run and got its grade without running again.`));
    if (recorded) context.out(style.dim(`${recorded} submission(s) had been graded by an earlier run with the same hidden tests and time limit, and kept that grade (--force grades everything again).`));
    if (distributed?.retried) context.out(style.dim(`${distributed.retried} job(s) were started again after a worker died or lost its lock; each is counted once.`));
    if (distributed?.deadLetters.length) {
      context.out(style.red(`${distributed.deadLetters.length} submission(s) could not be graded (dead letters): ${distributed.deadLetters.map((l) => `${l.student}/${l.challenge}`).join(", ")}; see report.html`));
    }
    context.out(`\nWrote ${path.relative(process.cwd(), out) || "."}/report.html, gradebook.csv, gradebook.json, junit.xml and results/<student>/<challenge>/results.json`);
    return EXIT.ok;
  },
};
