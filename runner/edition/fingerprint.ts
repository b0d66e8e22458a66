// What a submission is compared with when `grade` reads it: the edition it was
// made with (queuecraft-edition.json, copied into every submission's
// manifest) against the checkout that grades it. Two things can differ:
//
// - a challenge's stub (its ids, signatures or contract): the student worked
//   against another contract, so that challenge's grade may be unfair. Warned
//   per challenge, loudly.
// - the course fingerprint (hidden tests, harness, kit, lock file): the
//   hidden tests changed since the edition was released, which is normal when
//   an instructor fixes a test. Said once, quietly.
//
// Grading goes on either way: refusing would punish the student for the
// instructor's change. Pure except for reading the checkout's stubs.

import { readFileSync } from "node:fs";
import { challengeFiles, type Lesson } from "../course/catalog.ts";
import { courseFingerprint, sha256 } from "../grading/graded-record.ts";
import type { EditionInfo } from "./edition.ts";

/** Challenge id → sha256 of its stub, for every lesson with a challenge. */
export function stubHashes(root: string, lessons: Lesson[]): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const lesson of lessons) {
    const files = challengeFiles(root, lesson);
    if (files) hashes[lesson.meta.id] = sha256(readFileSync(files.stub));
  }
  return hashes;
}

/** What the grading checkout is, to compare editions with (computed once per grade). */
export interface Checkout {
  course: string;
  challenges: Record<string, string>;
}

export function checkoutOf(root: string, lessons: Lesson[]): Checkout {
  return { course: courseFingerprint(root, lessons), challenges: stubHashes(root, lessons) };
}

export interface EditionDifference {
  /** Challenges whose stub differs between the edition and this checkout (or that only one of them has). */
  changedStubs: string[];
  /** The hidden tests, harness, kit or lock file changed since the edition was released. */
  courseChanged: boolean;
}

/** How the edition a submission was made with differs from this checkout, for the challenges it submitted (all when not given). */
export function compareEdition(edition: Pick<EditionInfo, "course" | "challenges">, checkout: Checkout, submitted?: string[]): EditionDifference {
  const ids = submitted ?? [...new Set([...Object.keys(edition.challenges), ...Object.keys(checkout.challenges)])];
  return {
    changedStubs: ids.filter((id) => edition.challenges[id] !== checkout.challenges[id]).sort(),
    courseChanged: edition.course !== checkout.course,
  };
}
