// Writes what `grade` hands the instructor: gradebook.csv, gradebook.json,
// junit.xml, report.html, and Exercism's results.json for every graded
// submission, of the challenges given (all, or those assigned). A challenge
// not submitted, or handed in as the untouched stub, has no results.json: no
// test runner ran for it, and the gradebook files say which of the two it
// was. results/ is replaced whole: one left by an earlier run would say a
// challenge was graded (out-folder.ts makes sure the folder is grade's own).

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { exercismResults } from "../grading/results.ts";
import type { Assignment } from "./assignment.ts";
import type { CopyFlags } from "./copy-flags.ts";
import { gradebookCsv } from "./csv.ts";
import type { DeadLetter } from "./distributed/registry.ts";
import { buildGradebook, gradebookJson, type Gradebook } from "./gradebook.ts";
import { gradebookJunit } from "./junit.ts";
import type { StudentResults } from "./outcome.ts";
import { classReport } from "./report.ts";

export interface ClassOutputs {
  title: string;
  gradedBy: string;
  challenges: string[];
  results: StudentResults[];
  copyFlags: CopyFlags;
  deadLetters: DeadLetter[];
  /** Only some challenges were assigned: `challenges` are those. */
  assignment?: Assignment;
}

export function writeGradebook(out: string, input: ClassOutputs): Gradebook {
  const book = buildGradebook(input.challenges, input.results);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "gradebook.csv"), gradebookCsv(book));
  writeFileSync(path.join(out, "gradebook.json"), gradebookJson(book, input));
  writeFileSync(path.join(out, "junit.xml"), gradebookJunit(book, input.results));
  rmSync(path.join(out, "results"), { recursive: true, force: true });
  for (const { student, challenges } of input.results) {
    for (const id of input.challenges) {
      const results = challenges[id];
      if (!results) continue;
      const file = path.join(out, "results", student, id, "results.json");
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(exercismResults(results), null, 2)}\n`);
    }
  }
  const { title, gradedBy, deadLetters, copyFlags, assignment } = input;
  writeFileSync(path.join(out, "report.html"), classReport({ title, generatedAt: new Date(), gradedBy, book, results: input.results, deadLetters, copyFlags, ...(assignment ? { assignment } : {}) }));
  return book;
}
