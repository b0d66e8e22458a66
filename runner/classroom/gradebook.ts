// The class gradebook: one row per student, one cell per challenge (its
// outcome, and for an error its reason), the totals, and gradebook.json.
// Pure: results in, data and JSON text out. The CSV is csv.ts, the JUnit XML
// junit.ts.

import type { DeadLetter } from "./distributed/registry.ts";
import type { Assignment } from "./assignment.ts";
import type { CopyFlags } from "./copy-flags.ts";
import { cellOf, countCells, type Cell, type Counts, type StudentResults } from "./outcome.ts";

export type { StudentResults } from "./outcome.ts";

export interface GradebookRow extends Counts {
  student: string;
  cells: Record<string, Cell>;
}

export interface Gradebook {
  challenges: string[];
  students: GradebookRow[];
}

export function buildGradebook(challenges: string[], students: StudentResults[]): Gradebook {
  return {
    challenges,
    students: students.map((student) => {
      const cells = Object.fromEntries(challenges.map((id) => [id, cellOf(student, id)]));
      return { student: student.student, cells, ...countCells(Object.values(cells)) };
    }),
  };
}

/**
 * gradebook.json: the assignment (when only some challenges were assigned),
 * the gradebook, the copy flags, dead letters (none when graded locally) and
 * every graded submission's results. The same class gives the same bytes
 * whether graded locally or over Redis.
 */
export function gradebookJson(book: Gradebook, extra: { results: StudentResults[]; copyFlags: CopyFlags; deadLetters: DeadLetter[]; assignment?: Assignment }): string {
  const assignment = extra.assignment ? { assignment: extra.assignment } : {};
  return `${JSON.stringify({ ...assignment, ...book, copyFlags: extra.copyFlags, deadLetters: extra.deadLetters, results: extra.results }, null, 2)}\n`;
}
