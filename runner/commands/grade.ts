// `npm run grade <submissions-dir>`: grades a class. One folder per student,
// laid out like the learner's workspace (<student>/<lesson-id>/challenge.ts).
// Always the course's own hidden tests; only challenge.ts is read from a
// submission. A student whose code crashes, hangs or floods gets "error" for
// that challenge and the class goes on.

import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { challengeFiles, loadCatalog, type Lesson } from "../catalog.ts";
import { EXIT, numberFlag, UsageError, type Command, type Context } from "../cli.ts";
import { printProblems } from "../course.ts";
import { buildGradebook, gradebookCsv, gradebookJunit, type StudentResults } from "../gradebook.ts";
import { grade, stageCandidate } from "../grading.ts";
import { RESULTS_VERSION, type Results } from "../results.ts";
import { provideServices, ServiceUnavailable } from "../services.ts";

const notSubmitted = (id: string): Results => ({ version: RESULTS_VERSION, status: "fail", message: `Not submitted: no ${id}/challenge.ts in the submission.`, tests: [] });

async function gradeStudent(context: Context, dir: string, student: string, lessons: Lesson[], options: { timeoutMs: number; env: Record<string, string> }): Promise<StudentResults> {
  const challenges: Record<string, Results> = {};
  const submitted = lessons.filter((lesson) => existsSync(path.join(dir, student, lesson.meta.id, "challenge.ts")));
  for (const lesson of lessons) if (!submitted.includes(lesson)) challenges[lesson.meta.id] = notSubmitted(lesson.meta.id);
  const results = await grade(
    submitted.map((lesson) => ({
      folder: lesson.folder!,
      candidate: stageCandidate(context.root, path.join(dir, student, lesson.meta.id, "challenge.ts")),
      displayName: `${lesson.meta.id}/challenge.ts`,
    })),
    { root: context.root, timeoutMs: options.timeoutMs, env: options.env },
  );
  submitted.forEach((lesson, index) => (challenges[lesson.meta.id] = results[index]!));
  return { student, challenges };
}

function progressLine(context: Context, done: number, total: number, student: string): void {
  if (context.json) return;
  const width = 24;
  const filled = Math.round((done / total) * width);
  const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${student}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${bar.padEnd(70)}${done === total ? "\n" : ""}`);
  else context.err(bar);
}

export const gradeCommand: Command = {
  summary: "Grades every student's challenges with the course's hidden tests; writes gradebook.csv, gradebook.json, JUnit XML and a results.json per student per challenge.",
  usage: "npm run grade <submissions-dir> [-- --out <dir>] [--json] [--timeout <seconds>] [--parallel <n>]",
  flags: { out: "string", timeout: "string", parallel: "string" },
  async run(context, args) {
    const dir = args.positional[0];
    if (!dir || args.positional.length > 1) throw new UsageError("name the folder of submissions (one folder per student)");
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`no such folder: ${dir}`);
    const timeoutMs = numberFlag(args, "timeout", 60, { min: 1, max: 3600 }) * 1000;
    const parallel = numberFlag(args, "parallel", Math.max(1, os.availableParallelism()), { min: 1, max: 64 });
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
    let services;
    try {
      services = await provideServices(lessons.flatMap((lesson) => lesson.meta.services));
    } catch (error) {
      if (!(error instanceof ServiceUnavailable)) throw error;
      context.err(`Cannot grade: ${error.message}`);
      return EXIT.failed;
    }
    const graded: StudentResults[] = new Array(students.length);
    try {
      let next = 0;
      let done = 0;
      const worker = async () => {
        while (next < students.length) {
          const index = next++;
          const student = students[index]!;
          graded[index] = await gradeStudent(context, dir, student, lessons, { timeoutMs, env: services.env });
          progressLine(context, ++done, students.length, student);
        }
      };
      await Promise.all(Array.from({ length: Math.min(parallel, students.length) }, worker));
    } finally {
      await services.stop();
    }
    const ids = lessons.map((lesson) => lesson.meta.id);
    const book = buildGradebook(ids, graded);
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "gradebook.csv"), gradebookCsv(book));
    writeFileSync(path.join(out, "gradebook.json"), `${JSON.stringify({ ...book, results: graded }, null, 2)}\n`);
    writeFileSync(path.join(out, "junit.xml"), gradebookJunit(graded));
    for (const { student, challenges } of graded) {
      for (const [id, results] of Object.entries(challenges)) {
        const file = path.join(out, "results", student, id, "results.json");
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
      }
    }
    if (context.json) {
      context.out(JSON.stringify({ out, ...book }));
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
    context.out(`\nWrote ${path.relative(process.cwd(), out) || "."}/gradebook.csv, gradebook.json, junit.xml and results/<student>/<challenge>/results.json`);
    return EXIT.ok;
  },
};
