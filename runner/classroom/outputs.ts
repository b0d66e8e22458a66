// Writes what `grade` hands the instructor: gradebook.csv, gradebook.json,
// junit.xml, report.html, and Exercism's results.json for every graded
// submission. A challenge not submitted, or handed in as the untouched stub,
// has no results.json: no test runner ran for it, and the gradebook files
// say which of the two it was.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { exercismResults } from "../grading/results.ts";
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
}

export function writeGradebook(out: string, input: ClassOutputs): Gradebook {
  const book = buildGradebook(input.challenges, input.results);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "gradebook.csv"), gradebookCsv(book));
  writeFileSync(path.join(out, "gradebook.json"), gradebookJson(book, input));
  writeFileSync(path.join(out, "junit.xml"), gradebookJunit(book, input.results));
  for (const { student, challenges } of input.results) {
    for (const id of input.challenges) {
      const file = path.join(out, "results", student, id, "results.json");
      const results = challenges[id];
      // One left by an earlier run into this folder would say it was graded.
      if (!results) rmSync(file, { force: true });
      else {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, `${JSON.stringify(exercismResults(results), null, 2)}\n`);
      }
    }
  }
  writeFileSync(path.join(out, "report.html"), classReport({ title: input.title, generatedAt: new Date(), gradedBy: input.gradedBy, book, results: input.results, deadLetters: input.deadLetters, copyFlags: input.copyFlags }));
  return book;
}
