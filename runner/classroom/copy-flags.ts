// Copy flags: per challenge, the pairs of submissions that are the same or
// nearly so once names, comments, literals and layout are set aside, and the
// submissions that are the reference solution. For a person to look at, never
// a grade: nothing here changes an outcome. Pure.
//
// What every student starts from (the stub) is taken out of each submission
// first, and a submission with too little code of its own is not compared:
// for a challenge whose answer is one line, alike answers are no sign of
// anything.

import { fingerprints, jaccard, without } from "./similarity.ts";

/** Pairs scoring at least this are flagged (the Jaccard index of their fingerprints after the stub's are removed). */
export const COPY_THRESHOLD = 0.75;
/**
 * Fewer fingerprints of its own than this (about 35 normalised tokens) and a
 * submission is too small to compare.
 */
export const MIN_FINGERPRINTS = 8;
export const COPY_METHOD = "winnowing (k = 10 tokens, window 6) over tokens with names, literals, comments and layout normalised; Jaccard index of the fingerprints, the stub's removed";

export interface ChallengeSubmissions {
  id: string;
  /** The stub every student starts from; its fingerprints are nobody's own. */
  stub?: string;
  reference?: string;
  /** Graded submissions only: not the missing ones, nor untouched stubs. */
  submissions: Array<{ student: string; source: string }>;
}

export interface CopyPair {
  challenge: string;
  students: [string, string];
  /** 0..1, two decimals. */
  score: number;
  /** The two files are the same byte for byte. */
  identical: boolean;
}

export interface ReferenceMatch {
  challenge: string;
  student: string;
  score: number;
  identical: boolean;
}

export interface CopyFlags {
  threshold: number;
  method: string;
  /** Most alike first. */
  pairs: CopyPair[];
  /** Submissions that are the reference solution, or nearly. */
  reference: ReferenceMatch[];
  /** Submissions not compared: too little code of their own (see MIN_FINGERPRINTS). */
  tooSmall: number;
}

const round = (score: number) => Math.floor(score * 100) / 100;
/** By UTF-16 code units, as Array.prototype.sort: the same order on every machine, whatever its locale. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The flags for a class. `threshold` and `minFingerprints` are for tests. */
export function copyFlags(challenges: ChallengeSubmissions[], options: { threshold?: number; minFingerprints?: number } = {}): CopyFlags {
  const threshold = options.threshold ?? COPY_THRESHOLD;
  const smallest = options.minFingerprints ?? MIN_FINGERPRINTS;
  const pairs: CopyPair[] = [];
  const reference: ReferenceMatch[] = [];
  let tooSmall = 0;
  for (const challenge of challenges) {
    const base = fingerprints(challenge.stub ?? "");
    const prints = challenge.submissions.map(({ student, source }) => ({ student, source, set: without(fingerprints(source), base) }));
    const comparable = prints.filter((p) => p.set.size >= smallest);
    tooSmall += prints.length - comparable.length;
    // Smallest first: a pair can only reach the threshold if the smaller set is at least `threshold` of the larger.
    comparable.sort((a, b) => a.set.size - b.set.size);
    for (let i = 0; i < comparable.length; i++) {
      const a = comparable[i]!;
      for (let j = i + 1; j < comparable.length; j++) {
        const b = comparable[j]!;
        if (a.set.size < threshold * b.set.size) break;
        const score = jaccard(a.set, b.set);
        if (score < threshold) continue;
        const students = [a.student, b.student].sort() as [string, string];
        pairs.push({ challenge: challenge.id, students, score: round(score), identical: a.source === b.source });
      }
    }
    if (challenge.reference === undefined) continue;
    const solution = without(fingerprints(challenge.reference), base);
    if (solution.size < smallest) continue;
    for (const p of comparable) {
      const score = jaccard(p.set, solution);
      if (score >= threshold) reference.push({ challenge: challenge.id, student: p.student, score: round(score), identical: p.source === challenge.reference });
    }
  }
  const order = new Map(challenges.map((c, index) => [c.id, index]));
  const byChallenge = (a: { challenge: string }, b: { challenge: string }) => order.get(a.challenge)! - order.get(b.challenge)!;
  pairs.sort((a, b) => b.score - a.score || byChallenge(a, b) || compare(a.students[0], b.students[0]) || compare(a.students[1], b.students[1]));
  reference.sort((a, b) => b.score - a.score || byChallenge(a, b) || compare(a.student, b.student));
  return { threshold, method: COPY_METHOD, pairs, reference, tooSmall };
}
