// `npm run grade <submissions-dir>`: grades a class. One folder per student,
// laid out like the learner's workspace (<student>/<lesson-id>/challenge.ts),
// or student clones of the edition (<student>/workspace/<id>/challenge.ts), or
// `npm run submit` archives (classroom/intake.ts), mixed as they come.
// Always the course's own hidden tests; only challenge.ts is read from a
// submission. A student whose code crashes, hangs or floods gets "error" for
// that challenge, with its reason, and the class goes on; the lesson's stub
// handed in unchanged is not graded ("not attempted").
//
// Locally by default; with --redis <url>, one BullMQ job per (student,
// challenge) on that Redis, graded by `npm run grade-worker` processes on any
// machines with the course checked out. gradebook.csv, gradebook.json,
// junit.xml and the results.json files are the same bytes either way;
// report.html says when and how the class was graded.

import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { challengeFiles, loadCatalog, type Lesson } from "../../course/catalog.ts";
import { installRoot } from "../../process/install-root.ts";
import { EXIT, numberFlag, UsageError, type Command, type Context } from "../args.ts";
import { printProblems } from "../course.ts";
import type { DeadLetter } from "../../classroom/distributed/registry.ts";
import { copyFlags } from "../../classroom/copy-flags.ts";
import { writeGradebook } from "../../classroom/outputs.ts";
import { classResults, copyInput, readClass, type ClassFiles, type ClassSubmission } from "../../classroom/submissions.ts";
import { takeIn } from "../../classroom/intake.ts";
import { checkoutOf } from "../../edition/fingerprint.ts";
import { gradedRecord } from "../../grading/graded-record.ts";
import { childBundleDir, pruneBundles } from "../../process/bundle.ts";
import { grade } from "../../grading/grade.ts";
import { stageCandidate, type GradeRequest } from "../../grading/wrapper.ts";
import type { Results } from "../../grading/results.ts";
import { runFolder } from "../../process/scratch.ts";
import { provideServices } from "../../process/services/provide.ts";
import { ServiceUnavailable } from "../../process/services/server.ts";
import { groupStudents } from "../../classroom/groups.ts";
import { label, Progress } from "../progress.ts";

/** Why the class could not be graded at all: one line, exit 1. */
class CannotGrade extends Error {}

/** (challenge, sha256 of the file): equal keys get the same grade. */
const keyOf = (file: ClassSubmission) => `${file.lesson.meta.id}\0${file.sha256}`;

/**
 * Grades a group's files in one grading run: vitest starts once for all of
 * them. Every file is graded in isolation from the others, and a crash is
 * pinned on its own file (see grading/grade.ts).
 */
async function gradeGroup(
  context: Context,
  files: ClassSubmission[],
  options: { timeoutMs: number; services: Promise<Record<string, string>>; progress: Progress; staging: string },
): Promise<Results[]> {
  const labels = new Map<GradeRequest, string>();
  const requests = files.map((file) => {
    const request = { folder: file.lesson.folder!, candidate: stageCandidate(context.root, file.file, options.staging), displayName: `${file.lesson.meta.id}/challenge.ts` };
    labels.set(request, label(file.student, file.lesson.meta.id));
    return request;
  });
  const { progress } = options;
  // Forks: one student's code must not be able to kill this command (and the class with it).
  const results = await grade(requests, {
    root: context.root,
    timeoutMs: options.timeoutMs,
    services: options.services,
    onFileStarted: (request) => progress.started(labels.get(request)!),
    onFileDone: (request) => progress.finished(labels.get(request)!),
    pool: "forks",
    oneOff: true,
  });
  // Files whose run died report no end of their own.
  for (const text of labels.values()) progress.finished(text);
  return results;
}

/** Grades here, in groups of students, `parallel` groups at a time, with servers started for the run. */
async function gradeLocally(context: Context, files: ClassFiles, lessons: Lesson[], options: { timeoutMs: number; parallel: number; force: boolean }): Promise<{ graded: Results[]; reused: number; recorded: number }> {
  const { submitted } = files;
  // A file the same, byte for byte, as another (a shared starter) is graded
  // once, and every copy gets that grade; one graded by an earlier run with
  // the same hidden tests and time limit is not graded again.
  const record = gradedRecord(context.root, lessons, options.timeoutMs, path.join(installRoot(), "runner"));
  const graded = new Map<string, Results>();
  const firstOfEach = new Map<string, ClassSubmission>();
  for (const file of submitted) if (!firstOfEach.has(keyOf(file))) firstOfEach.set(keyOf(file), file);
  const fresh: ClassSubmission[] = [];
  for (const file of firstOfEach.values()) {
    const earlier = options.force ? undefined : record.get(file.lesson.meta.id, file.sha256);
    if (earlier) graded.set(keyOf(file), earlier);
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
  const progress = new Progress(context, submitted.length, submitted.length - fresh.length);
  // This run's copies of the submissions, removed at the end: grading class after class must not fill the disk.
  const { folder: staging, remove: removeStaging } = runFolder(path.join(context.root, ".queuecraft", "staging"), "grade-");
  try {
    let next = 0;
    const worker = async () => {
      while (next < groups.length) {
        const group = groups[next++]!;
        const results = await gradeGroup(context, group, { timeoutMs: options.timeoutMs, services, progress, staging });
        group.forEach((file, index) => {
          graded.set(keyOf(file), results[index]!);
          record.put(file.lesson.meta.id, file.sha256, results[index]!);
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.parallel, groups.length) }, worker));
  } catch (error) {
    if (error instanceof ServiceUnavailable) throw new CannotGrade(error.message);
    throw error;
  } finally {
    progress.finish();
    removeStaging();
    // Worker processes that hidden tests started ran bundles of these submissions (lessons/_kit/spawn-ts.ts).
    pruneBundles(childBundleDir(context.root));
    await starting.then((running) => running.stop(), () => {});
  }
  return { graded: submitted.map((file) => graded.get(keyOf(file))!), reused, recorded };
}

/** Grades through BullMQ on `redisUrl`; Ctrl-C stops the run and deletes its jobs. */
async function gradeOnRedis(
  context: Context,
  files: ClassFiles,
  lessons: Lesson[],
  options: { timeoutMs: number; redisUrl: string; workerWaitMs: number },
): Promise<{ graded: Results[]; deadLetters: DeadLetter[]; retried: number; queue: string }> {
  const submissions = files.submitted.map(({ student, lesson, file }) => ({ student, challenge: lesson.meta.id, file }));
  // Loaded here, not at the top: BullMQ and ioredis cost ~0.4 s to load, which a local run need not pay.
  const { GradingAborted, RedisUnavailable } = await import("../../classroom/distributed/registry.ts");
  const { gradeOnQueue } = await import("../../classroom/distributed/producer.ts");
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const progress = new Progress(context, submissions.length);
  try {
    const run = await gradeOnQueue({
      root: context.root,
      redisUrl: options.redisUrl,
      lessons,
      submissions,
      timeoutMs: options.timeoutMs,
      workerWaitMs: options.workerWaitMs,
      signal: interrupt.signal,
      onProgress: (_done, _total, submission) => progress.finished(label(submission.student, submission.challenge)),
      onNotice: (text) => {
        progress.finish();
        context.err(context.style.yellow(text));
      },
    });
    return { graded: run.results, deadLetters: run.deadLetters, retried: run.retried, queue: run.queue };
  } catch (error) {
    if (error instanceof RedisUnavailable || error instanceof GradingAborted) throw new CannotGrade(error.message);
    throw error;
  } finally {
    progress.finish();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** The stub and the reference solution of a lesson, as text (copy flags compare submissions with both). */
function lessonSources(root: string, lesson: Lesson): { stub?: string; reference?: string } {
  const files = challengeFiles(root, lesson);
  const read = (file: string | undefined) => (file && existsSync(file) ? readFileSync(file, "utf8") : undefined);
  return { stub: read(files?.stub), reference: read(files?.solution) };
}

export const gradeCommand: Command = {
  summary:
    "Grades every student's challenges with the course's hidden tests. The folder may hold one folder per student (<student>/<id>/challenge.ts), student clones of the edition (<student>/workspace/<id>/challenge.ts) or `npm run submit` archives, mixed; a submission made with another edition of the course is named in a warning. Writes gradebook.csv, gradebook.json, JUnit XML, report.html and a results.json per student per challenge. A submission an earlier run graded with the same hidden tests and time limit keeps that grade (--force grades everything again). With --redis, the work goes to `npm run grade-worker` processes over BullMQ.",
  usage: "npm run grade <submissions-dir | clones-dir | archives-dir> [-- --out <dir>] [--json] [--timeout <seconds>] [--parallel <groups>] [--force] [--redis <url> [--worker-wait <seconds>]]",
  flags: { out: "string", timeout: "string", parallel: "string", force: "boolean", redis: "string", "worker-wait": "string" },
  async run(context, args) {
    const dir = args.positional[0];
    if (!dir || args.positional.length > 1) throw new UsageError("name the folder of submissions (one folder per student, student clones, or submit archives)");
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
    const sources = new Map(lessons.map((lesson) => [lesson, lessonSources(context.root, lesson)]));
    const stubs = new Map(lessons.flatMap((lesson) => (sources.get(lesson)!.stub === undefined ? [] : [[lesson.meta.id, Buffer.from(sources.get(lesson)!.stub!)] as const])));
    const intake = await takeIn(dir, lessons.map((lesson) => lesson.meta.id), checkoutOf(context.root, catalog.lessons), path.join(context.root, ".queuecraft", "intake"));
    for (const warning of intake.warnings) context.err(context.style.yellow(warning));
    const files = readClass(intake.dir, lessons, stubs);
    let graded: Results[];
    let reused = 0;
    let recorded = 0;
    let distributed: { deadLetters: DeadLetter[]; retried: number; queue: string } | undefined;
    try {
      if (redisUrl) ({ graded, ...distributed } = await gradeOnRedis(context, files, lessons, { timeoutMs, redisUrl, workerWaitMs }));
      else ({ graded, reused, recorded } = await gradeLocally(context, files, lessons, { timeoutMs, parallel, force: args.flags.has("force") }));
    } catch (error) {
      if (!(error instanceof CannotGrade)) throw error;
      context.err(`Cannot grade: ${error.message}`);
      return EXIT.failed;
    } finally {
      intake.remove();
    }
    const ids = lessons.map((lesson) => lesson.meta.id);
    const results = classResults(files, graded);
    // Flags for a person to look at; no outcome depends on them.
    const flags = copyFlags(copyInput(files, lessons, (lesson) => sources.get(lesson)!));
    const book = writeGradebook(out, {
      title: `Class report: ${path.basename(path.resolve(dir))}`,
      gradedBy: redisUrl ? "by grade-worker processes over BullMQ" : "locally",
      challenges: ids,
      results,
      copyFlags: flags,
      deadLetters: distributed?.deadLetters ?? [],
    });
    if (context.json) {
      context.out(JSON.stringify({ out, ...book, copyFlags: flags, ...distributed, ...(redisUrl ? {} : { reused, recorded }), intake: { layouts: intake.layouts, warnings: intake.warnings } }));
      return EXIT.ok;
    }
    const { style } = context;
    const width = Math.max(7, ...files.students.map((s) => s.length));
    context.out(style.bold(`${"student".padEnd(width)}  passed  failed  errors  not submitted`));
    for (const row of book.students) {
      const missing = `${row.notSubmitted}${row.notAttempted ? ` (${row.notAttempted} untouched stub${row.notAttempted > 1 ? "s" : ""})` : ""}`;
      const errors = `${row.errors ? style.red(String(row.errors)) : "0"}${" ".repeat(Math.max(0, 6 - String(row.errors).length))}`;
      context.out(`${row.student.padEnd(width)}  ${`${row.passed}/${row.total}`.padEnd(6)}  ${String(row.failed).padEnd(6)}  ${errors}  ${missing}`);
    }
    const rate = (id: string) => book.students.filter((row) => row.cells[id]!.outcome === "passed").length;
    context.out(style.dim(`\nPass rate per challenge: ${ids.map((id) => `${id} ${rate(id)}/${files.students.length}`).join(", ")}`));
    if (reused) context.out(style.dim(`${reused} submission(s) were byte for byte the same as one graded before in this run and got its grade without running again.`));
    if (recorded) context.out(style.dim(`${recorded} submission(s) had been graded by an earlier run with the same hidden tests and time limit, and kept that grade (--force grades everything again).`));
    const stubCount = book.students.reduce((sum, row) => sum + row.notAttempted, 0);
    if (stubCount) context.out(style.dim(`${stubCount} submission(s) were the lesson's stub, unchanged: not graded, counted as not submitted ("not attempted").`));
    if (distributed?.retried) context.out(style.dim(`${distributed.retried} job(s) were started again after a worker died or lost its lock; each is counted once.`));
    if (distributed?.deadLetters.length) {
      context.out(style.red(`${distributed.deadLetters.length} submission(s) could not be graded (dead letters): ${distributed.deadLetters.map((l) => `${l.student}/${l.challenge}`).join(", ")}; see report.html`));
    }
    const flagged = flags.pairs.length + flags.reference.length;
    if (flagged) context.out(style.yellow(`${flagged} copy flag(s): submissions alike to each other or to the reference solution (see report.html; no grade changed).`));
    context.out(`\nWrote ${path.relative(process.cwd(), out) || "."}/report.html, gradebook.csv, gradebook.json, junit.xml and results/<student>/<challenge>/results.json`);
    return EXIT.ok;
  },
};
