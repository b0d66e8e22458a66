// What `grade` prints on a terminal once the class is graded: a row per
// student, the pass rate per challenge, and a line for each thing the
// instructor should know happened (copies, kept grades, untouched stubs,
// submissions graded again, dead letters, copy flags).

import path from "node:path";
import type { Context } from "../args.ts";
import type { CopyFlags } from "../../classroom/copy-flags.ts";
import type { DeadLetter } from "../../classroom/distributed/registry.ts";
import type { Gradebook } from "../../classroom/gradebook.ts";
import type { ClassFiles } from "../../classroom/submissions.ts";
import type { LocalGrading } from "./grade-local.ts";

export interface ClassSummary {
  book: Gradebook;
  files: ClassFiles;
  flags: CopyFlags;
  out: string;
  timeoutMs: number;
  local?: Omit<LocalGrading, "graded">;
  distributed?: { deadLetters: DeadLetter[]; retried: number };
}

export function printSummary(context: Context, { book, files, flags, out, timeoutMs, local, distributed }: ClassSummary): void {
  const { style } = context;
  const width = Math.max(7, ...files.students.map((s) => s.length));
  context.out(style.bold(`${"student".padEnd(width)}  passed  failed  errors  not submitted`));
  for (const row of book.students) {
    const missing = `${row.notSubmitted}${row.notAttempted ? ` (${row.notAttempted} untouched stub${row.notAttempted > 1 ? "s" : ""})` : ""}`;
    const errors = `${row.errors ? style.red(String(row.errors)) : "0"}${" ".repeat(Math.max(0, 6 - String(row.errors).length))}`;
    context.out(`${row.student.padEnd(width)}  ${`${row.passed}/${row.total}`.padEnd(6)}  ${String(row.failed).padEnd(6)}  ${errors}  ${missing}`);
  }
  const rate = (id: string) => book.students.filter((row) => row.cells[id]!.outcome === "passed").length;
  context.out(style.dim(`\nPass rate per challenge: ${book.challenges.map((id) => `${id} ${rate(id)}/${files.students.length}`).join(", ")}`));
  if (local?.reused) context.out(style.dim(`${local.reused} submission(s) were byte for byte the same as one graded before in this run and got its grade without running again.`));
  if (local?.recorded) {
    const timeouts = local.recordedTimeouts ? ` ${local.recordedTimeouts} of them had timed out (${timeoutMs / 1000} s) and were not waited for again (--retry-errors grades timeouts again).` : "";
    context.out(style.dim(`${local.recorded} submission(s) had been graded by an earlier run with the same hidden tests and time limit, and kept that grade (--force grades everything again).${timeouts}`));
  }
  const stubCount = book.students.reduce((sum, row) => sum + row.notAttempted, 0);
  if (stubCount) context.out(style.dim(`${stubCount} submission(s) were the lesson's stub, unchanged: not graded, counted as not submitted ("not attempted").`));
  if (local?.regraded.length) {
    const list = local.regraded.map((r) => `${r.submission} (${r.reason})`);
    context.out(style.yellow(`${list.length} submission(s) were graded once more because their grading run died in a way that may have been the machine's: ${list.slice(0, 5).join(", ")}${list.length > 5 ? ", …" : ""}`));
  }
  if (distributed?.retried) context.out(style.dim(`${distributed.retried} job(s) were started again after a worker died or lost its lock; each is counted once.`));
  if (distributed?.deadLetters.length) {
    context.out(style.red(`${distributed.deadLetters.length} submission(s) could not be graded (dead letters): ${distributed.deadLetters.map((l) => `${l.student}/${l.challenge}`).join(", ")}; see report.html`));
  }
  const flagged = flags.pairs.length + flags.reference.length;
  if (flagged) context.out(style.yellow(`${flagged} copy flag(s): submissions alike to each other or to the reference solution (see report.html; no grade changed).`));
  context.out(`\nWrote ${path.relative(process.cwd(), out) || "."}/report.html, gradebook.csv, gradebook.json, junit.xml and results/<student>/<challenge>/results.json`);
}
