// The numbers behind the class report, from gradebook data: each challenge's
// counts and the most common reason its submitters did not pass. Pure.

import type { DeadLetter } from "./distributed/registry.ts";
import type { CopyFlags } from "./copy-flags.ts";
import type { Gradebook, StudentResults } from "./gradebook.ts";
import { cellOf as outcomeOf, type Outcome } from "./outcome.ts";

/** A cell of the report's matrix: "missing" is not submitted, "stub" the stub handed in unchanged (not attempted). */
export type Cell = "pass" | "fail" | "error" | "missing" | "stub";
const CELL: Record<Outcome, Cell> = { passed: "pass", failed: "fail", error: "error", "not submitted": "missing", "not attempted": "stub" };

export interface ReportInput {
  title: string;
  /** When the class was graded (the page shows it; passed in so this stays pure). */
  generatedAt: Date;
  /** How: "locally", "by 3 workers over Redis"… */
  gradedBy: string;
  book: Gradebook;
  results: StudentResults[];
  deadLetters?: DeadLetter[];
  copyFlags?: CopyFlags;
  /** Given when only some challenges were assigned (classroom/assignment.ts): the page says so, and the due date. */
  assignment?: { due?: string };
}

export interface ChallengeStats {
  id: string;
  pass: number;
  fail: number;
  error: number;
  missing: number;
  stub: number;
  /**
   * The test that fails for the most students who submitted, with how many;
   * `ran: false` groups submissions where no test ran, by their reason.
   */
  commonFailure?: { test: string; ran: boolean; students: number; example: string };
}

export const cellOf = (student: StudentResults, id: string): Cell => CELL[outcomeOf(student, id).outcome];

export const firstLines = (text: string, lines: number) => text.split("\n").slice(0, lines).join("\n");

/** Per-challenge counts, and the most common reason submitters did not pass. */
export function challengeStats(input: Pick<ReportInput, "book" | "results">): ChallengeStats[] {
  return input.book.challenges.map((id) => {
    const stats: ChallengeStats = { id, pass: 0, fail: 0, error: 0, missing: 0, stub: 0 };
    const failures = new Map<string, { ran: boolean; students: number; example: string }>();
    for (const student of input.results) {
      const results = student.challenges[id];
      const cell = cellOf(student, id);
      stats[cell]++;
      if (cell === "pass" || cell === "missing" || cell === "stub") continue;
      const failing = results!.tests.filter((test) => test.status !== "pass");
      // No test ran (timed out, did not load…): such submissions group by the reason's first line.
      const reasons = failing.length > 0 ? failing.map((test) => ({ name: test.name, ran: true, message: test.message ?? "" })) : [{ name: firstLines(results!.message ?? "", 1), ran: false, message: results!.message ?? "" }];
      for (const reason of new Map(reasons.map((r) => [`${r.ran}\0${r.name}`, r])).values()) {
        const key = `${reason.ran}\0${reason.name}`;
        const seen = failures.get(key) ?? { ran: reason.ran, students: 0, example: firstLines(reason.message, 6) };
        seen.students++;
        failures.set(key, seen);
      }
    }
    let best: ChallengeStats["commonFailure"];
    for (const [key, seen] of failures) {
      // On a tie, a real test says more than "it did not run".
      if (!best || seen.students > best.students || (seen.students === best.students && seen.ran && !best.ran)) best = { test: key.slice(key.indexOf("\0") + 1), ...seen };
    }
    if (best) stats.commonFailure = best;
    return stats;
  });
}
