// Which edition of the course this is. The course checkout (the instructor's,
// or a self-study learner's) has everything: lessons, solutions, hidden tests,
// mutants. A student edition, written by `npm run release`, has the lessons,
// the kit, the runner and the public tests only, and says so in
// queuecraft-edition.json at its root (nbgrader's "release" folder, okpy's
// tests kept on the server). That file also carries what `grade` compares a
// submission against: the course fingerprint of the checkout it was released
// from (its hidden tests, harness, kit and lock file: graded-record.ts) and a
// hash of every challenge's stub (the ids and signatures learners were given).
//
// Commands ask this module rather than look for solutions/ or test/hidden/
// themselves, so "which edition" has one answer. main.ts loads it on every
// command, so it imports nothing but node:fs and node:path (the fingerprints
// are in fingerprint.ts).

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Suite } from "../grading/wrapper.ts";

export const EDITION_FILE = "queuecraft-edition.json";

export interface EditionInfo {
  format: 1;
  edition: "student";
  /** When `release` wrote it (ISO 8601). */
  released: string;
  /** The commit it was released from, when the checkout is a git repository. */
  commit?: string;
  /** courseFingerprint() of the checkout it was released from. */
  course: string;
  /** Challenge id → sha256 of its stub (lessons/<folder>/challenge.ts). */
  challenges: Record<string, string>;
}

/** The edition file of `root`, or undefined in a course checkout. A damaged file still marks a student edition. */
export function studentEdition(root: string): EditionInfo | undefined {
  const file = path.join(root, EDITION_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as EditionInfo;
  } catch {
    return { format: 1, edition: "student", released: "", course: "", challenges: {} };
  }
}

export const isStudentEdition = (root: string): boolean => existsSync(path.join(root, EDITION_FILE));

/**
 * The suites a learner's check runs. In the checkout both, the worked
 * examples first (a failing example is the easiest failure to read); in a
 * student edition the public ones, the hidden tests being the instructor's.
 */
export function learnerSuites(root: string, folder: string): Suite[] {
  if (isStudentEdition(root)) return ["public"];
  // The same path as grading/wrapper.ts's testOf (not imported: see the top).
  return (["public", "hidden"] as const).filter((suite) => existsSync(path.join(root, "test", suite, folder, "challenge.test.ts")));
}

/** What a learner's check is called, by its suites: a title and the noun of its count line. */
export function suiteWords(suites: Suite[]): { title: string; noun: string } {
  if (suites.length === 1 && suites[0] === "public") return { title: "Public tests", noun: "public tests" };
  if (suites.length === 1) return { title: "Hidden tests", noun: "hidden tests" };
  return { title: "Tests (public examples and hidden tests)", noun: "tests" };
}

/** What `check` says in a student edition, under the results. */
export const PUBLIC_ONLY_NOTE =
  "These are the public tests: worked examples of the contract in your challenge's doc comments. " +
  "The hidden tests, which decide your grade, are not in this edition: they run when your instructor grades your submission (npm run submit packs it). " +
  "Passing every example is a good sign, not a grade.";

/** Why a command that needs solutions or hidden tests does not run in a student edition. */
export function instructorOnly(command: string): string {
  return (
    `\`${command}\` needs the instructor's course checkout (reference solutions, hidden tests, mutants), and this is the student edition, which has none of them. ` +
    "Your commands here: lesson, check (public tests), hint, watch, reset, submit. Run `npm run lesson` for the menu."
  );
}
