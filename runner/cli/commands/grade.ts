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
import { EXIT, numberFlag, UsageError, type Args, type Command, type Context } from "../args.ts";
import { printProblems } from "../course.ts";
import type { DeadLetter } from "../../classroom/distributed/registry.ts";
import { challengesFlag, parseAssignment, type Assignment } from "../../classroom/assignment.ts";
import { ARCHIVE, classShape, noSubmissions, notAClass } from "../../classroom/class-folder.ts";
import { copyFlags } from "../../classroom/copy-flags.ts";
import { prepareOutFolder } from "../../classroom/out-folder.ts";
import { writeGradebook } from "../../classroom/outputs.ts";
import { classResults, copyInput, readClass, type ClassFiles } from "../../classroom/submissions.ts";
import { takeIn } from "../../classroom/intake.ts";
import { checkoutOf } from "../../edition/fingerprint.ts";
import type { Results } from "../../grading/results.ts";
import { label, Progress } from "../progress.ts";
import { CannotGrade, gradeLocally, type LocalGrading } from "./grade-local.ts";
import { printSummary } from "./grade-summary.ts";

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

/** What was assigned, from --challenges or --assignment; undefined for the whole course. */
function assignmentOf(args: Args, challenges: string[], lessons: string[]): Assignment | undefined {
  const flag = args.flags.get("challenges");
  const file = args.flags.get("assignment");
  if (flag !== undefined && file !== undefined) throw new UsageError("give --challenges or --assignment, not both");
  if (flag !== undefined) {
    const given = challengesFlag(typeof flag === "string" ? flag : "", challenges, lessons);
    if (!given.challenges) throw new UsageError(given.problems.join("\n"));
    return { challenges: given.challenges };
  }
  if (file === undefined) return undefined;
  if (typeof file !== "string" || !existsSync(file) || !statSync(file).isFile()) throw new UsageError(`--assignment ${file === true ? "needs a file" : `${file}: no such file`}: a YAML or JSON file with \`challenges: [<id>, …]\` and optionally \`title:\` and \`due:\``);
  const parsed = parseAssignment(readFileSync(file, "utf8"), file, challenges, lessons);
  if (!parsed.assignment) throw new UsageError(parsed.problems.join("\n"));
  return parsed.assignment;
}

/** The folder of submissions named on the command line, or a usage error saying what it is instead. */
function classFolderArg(args: Args): string {
  const dir = args.positional[0];
  if (!dir || args.positional.length > 1) throw new UsageError("name the folder of submissions (one folder per student, student clones, or submit archives)");
  if (!existsSync(dir)) throw new UsageError(`no such folder: ${dir}`);
  if (statSync(dir).isDirectory()) return dir;
  if (ARCHIVE.test(dir)) throw new UsageError(`${dir} is one student's archive: put the class's archives in one folder and grade that folder`);
  throw new UsageError(`${dir} is a file, not a folder of submissions`);
}

export const gradeCommand: Command = {
  summary:
    "Grades every student's challenges with the course's hidden tests. The folder may hold one folder per student (<student>/<id>/challenge.ts), student clones of the edition (<student>/workspace/<id>/challenge.ts) or `npm run submit` archives, mixed; a folder that is not a class (one student's work, an empty folder, a challenge folder not named as a lesson) is refused before anything is graded. Writes gradebook.csv, gradebook.json, JUnit XML, report.html and a results.json per student per challenge, for every challenge or only those assigned (--challenges, --assignment). A submission an earlier run graded with the same hidden tests and time limit keeps that grade, a timeout included (--retry-errors grades timeouts again, --force everything). With --redis, the work goes to `npm run grade-worker` processes over BullMQ.",
  usage:
    "npm run grade <submissions-dir | clones-dir | archives-dir> [-- --out <dir>] [--challenges <id,id,…> | --assignment <file.yaml|json>] [--json] [--timeout <seconds>] [--parallel <groups>] [--force | --retry-errors] [--redis <url> [--worker-wait <seconds>]]",
  flags: { out: "string", timeout: "string", parallel: "string", force: "boolean", "retry-errors": "boolean", challenges: "string", assignment: "string", redis: "string", "worker-wait": "string" },
  async run(context, args) {
    const dir = classFolderArg(args);
    const timeoutMs = numberFlag(args, "timeout", 60, { min: 1, max: 3600 }) * 1000;
    // A grading run has a vitest worker per core, plus one, yet two groups at
    // once are faster: one group's tail (its last long files, the processes and
    // timers it waits on) leaves cores idle that the other uses (16 students on
    // 2 cores: 69 s with one, 58 s with two, in alternating runs).
    const parallel = numberFlag(args, "parallel", 2, { min: 1, max: 64 });
    const redisUrl = args.flags.get("redis");
    if (redisUrl !== undefined && typeof redisUrl !== "string") throw new UsageError("--redis needs a URL, like redis://127.0.0.1:6379");
    if (args.flags.has("worker-wait") && !redisUrl) throw new UsageError("--worker-wait goes with --redis");
    for (const flag of ["force", "retry-errors"]) if (args.flags.has(flag) && redisUrl) throw new UsageError(`--${flag} is for local grading: a --redis run grades every submission`);
    if (args.flags.has("force") && args.flags.has("retry-errors")) throw new UsageError("--force already grades everything again, errors included: give one of --force and --retry-errors");
    const workerWaitMs = numberFlag(args, "worker-wait", 120, { min: 1, max: 86_400 }) * 1000;
    const out = path.resolve(typeof args.flags.get("out") === "string" ? (args.flags.get("out") as string) : path.join(dir, "..", "gradebook"));
    const catalog = loadCatalog(context.root);
    if (catalog.problems.length) {
      printProblems(context, catalog.problems);
      return EXIT.failed;
    }
    const lessonIds = catalog.lessons.map((lesson) => lesson.meta.id);
    const lessons = catalog.lessons.filter((lesson) => challengeFiles(context.root, lesson));
    const assignment = assignmentOf(args, lessons.map((lesson) => lesson.meta.id), lessonIds);
    const assigned = assignment ? lessons.filter((lesson) => assignment.challenges.includes(lesson.meta.id)) : lessons;
    // Before anything is unpacked or graded: a folder that is not a class would give a gradebook of wrong blanks.
    const problems = notAClass(classShape(dir, lessonIds), dir, lessonIds);
    if (problems.length) throw new UsageError(problems.join("\n"));
    const sources = new Map(assigned.map((lesson) => [lesson, lessonSources(context.root, lesson)]));
    const stubs = new Map(assigned.flatMap((lesson) => (sources.get(lesson)!.stub === undefined ? [] : [[lesson.meta.id, Buffer.from(sources.get(lesson)!.stub!)] as const])));
    const ids = assigned.map((lesson) => lesson.meta.id);
    const intake = await takeIn(dir, ids, checkoutOf(context.root, catalog.lessons), path.join(context.root, ".queuecraft", "intake"));
    let files: ClassFiles;
    let graded: Results[];
    let local: Omit<LocalGrading, "graded"> | undefined;
    let distributed: { deadLetters: DeadLetter[]; retried: number; queue: string } | undefined;
    try {
      for (const warning of intake.warnings) context.err(context.style.yellow(warning));
      files = readClass(intake.dir, assigned, stubs);
      if (files.submitted.length === 0 && files.unchanged.size === 0) throw new UsageError(noSubmissions(dir, files.students.length, assignment?.challenges));
      const outProblem = prepareOutFolder(out, { classDir: dir, root: context.root });
      if (outProblem) throw new UsageError(outProblem);
      // The queue's name carries the fingerprint of every challenge (workers compare theirs): all lessons, not those assigned.
      if (redisUrl) ({ graded, ...distributed } = await gradeOnRedis(context, files, lessons, { timeoutMs, redisUrl, workerWaitMs }));
      else ({ graded, ...local } = await gradeLocally(context, files, assigned, { timeoutMs, parallel, force: args.flags.has("force"), retryErrors: args.flags.has("retry-errors") }));
    } catch (error) {
      if (!(error instanceof CannotGrade)) throw error;
      context.err(`Cannot grade: ${error.message}`);
      return EXIT.failed;
    } finally {
      intake.remove();
    }
    const results = classResults(files, graded);
    // Flags for a person to look at; no outcome depends on them.
    const flags = copyFlags(copyInput(files, assigned, (lesson) => sources.get(lesson)!));
    const book = writeGradebook(out, {
      title: assignment?.title ?? `Class report: ${path.basename(path.resolve(dir))}`,
      gradedBy: redisUrl ? "by grade-worker processes over BullMQ" : "locally",
      challenges: ids,
      results,
      copyFlags: flags,
      deadLetters: distributed?.deadLetters ?? [],
      ...(assignment ? { assignment } : {}),
    });
    if (context.json) {
      context.out(JSON.stringify({ out, ...book, copyFlags: flags, ...distributed, ...local, ...(assignment ? { assignment } : {}), intake: { layouts: intake.layouts, warnings: intake.warnings } }));
      return EXIT.ok;
    }
    printSummary(context, { book, files, flags, out, timeoutMs, ...(local ? { local } : {}), ...(distributed ? { distributed } : {}) });
    return EXIT.ok;
  },
};
