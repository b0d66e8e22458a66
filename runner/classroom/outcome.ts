// What happened to each (student, challenge) of a class: passed, failed,
// error (with its kind: timeout, crash, syntax…), not submitted, or not
// attempted (the lesson's stub handed in unchanged, which counts as not
// submitted in every total and is shown apart). Pure.

import type { ErrorKind, Results } from "../grading/results.ts";

export type Outcome = "passed" | "failed" | "error" | "not submitted" | "not attempted";
export const OUTCOMES: readonly Outcome[] = ["passed", "failed", "error", "not submitted", "not attempted"];

export interface StudentResults {
  student: string;
  /** Graded submissions by challenge id. A challenge absent here was not submitted, or is listed in `unchanged`. */
  challenges: Record<string, Results>;
  /** Challenges handed in as the lesson's stub, unchanged: not graded, not attempted. */
  unchanged: string[];
}

export interface Cell {
  outcome: Outcome;
  /** For an error: why no test ran, for a machine. */
  reason?: ErrorKind;
  /** For an error: the same, for a person. */
  message?: string;
}

export function cellOf(student: StudentResults, id: string): Cell {
  if (student.unchanged.includes(id)) return { outcome: "not attempted" };
  const results = student.challenges[id];
  if (!results) return { outcome: "not submitted" };
  if (results.status === "pass") return { outcome: "passed" };
  if (results.status === "fail") return { outcome: "failed" };
  return { outcome: "error", reason: results.errorKind ?? "other", message: results.message ?? "" };
}

/** A cell in one word or two, as the CSV and the terminal show it: "error: timeout". */
export const cellText = (cell: Cell): string => (cell.outcome === "error" ? `error: ${cell.reason}` : cell.outcome);

export interface Counts {
  passed: number;
  failed: number;
  errors: number;
  /** No submission, or the stub unchanged (those are also counted in notAttempted). */
  notSubmitted: number;
  notAttempted: number;
  total: number;
}

export function countCells(cells: Cell[]): Counts {
  const count = (...outcomes: Outcome[]) => cells.filter((cell) => outcomes.includes(cell.outcome)).length;
  return {
    passed: count("passed"),
    failed: count("failed"),
    errors: count("error"),
    notSubmitted: count("not submitted", "not attempted"),
    notAttempted: count("not attempted"),
    total: cells.length,
  };
}

/** An outcome that is an attempt: graded, whatever the grade. */
export const attempted = (cell: Cell): boolean => cell.outcome === "passed" || cell.outcome === "failed" || cell.outcome === "error";
