// Copy flags: per challenge, the submissions that are the reference solution
// or nearly, and the pairs of submissions that are the same or nearly so once
// names, comments, literals and layout are set aside. For a person to look
// at, never a grade: nothing here changes an outcome. Pure.
//
// What every student starts from (the stub) is taken out of each submission
// first, and a submission with too little code of its own is not compared:
// for a challenge whose answer is one line, alike answers are no sign of
// anything.
//
// The list stays as long as the class, not its square: a submission alike to
// the reference is listed once, against the reference, and is not paired;
// any other is paired with its closest match only (the first by name among
// equals), so ten copies of one file read as nine pairs with the first.

import { fingerprints, jaccard, without } from "./similarity.ts";

/** Submissions scoring at least this are flagged (the Jaccard index of their fingerprints after the stub's are removed). */
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
  /** 0..1, two decimals (rounded down: a score shown as 0.75 reached the threshold). */
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

interface Print {
  student: string;
  source: string;
  set: Set<number>;
}

/**
 * Submissions with the very same fingerprints are one group (a score of 1
 * among themselves), compared once with every other group: a class whose
 * files are mostly one program costs what its distinct programs cost.
 */
function groupsOf(prints: Print[]): Print[][] {
  const groups = new Map<string, Print[]>();
  for (const print of prints) {
    const key = [...print.set].sort((a, b) => a - b).join(",");
    const group = groups.get(key);
    if (group) group.push(print);
    else groups.set(key, [print]);
  }
  return [...groups.values()];
}

/** For each submission, its closest match at or above the threshold, if any. */
function closestMatches(groups: Print[][], threshold: number): Map<Print, { other: Print; score: number }> {
  const links = new Map<Print[], Array<{ group: Print[]; score: number }>>(groups.map((g) => [g, []]));
  // Smallest first: a pair can only reach the threshold if the smaller set is at least `threshold` of the larger.
  const bySize = [...groups].sort((a, b) => a[0]!.set.size - b[0]!.set.size);
  for (let i = 0; i < bySize.length; i++) {
    const a = bySize[i]!;
    for (let j = i + 1; j < bySize.length; j++) {
      const b = bySize[j]!;
      if (a[0]!.set.size < threshold * b[0]!.set.size) break;
      const score = jaccard(a[0]!.set, b[0]!.set);
      if (score < threshold) continue;
      links.get(a)!.push({ group: b, score });
      links.get(b)!.push({ group: a, score });
    }
  }
  const closest = new Map<Print, { other: Print; score: number }>();
  for (const group of groups) {
    for (const print of group) {
      const candidates = [...group.filter((p) => p !== print).map((other) => ({ other, score: 1 })), ...links.get(group)!.flatMap(({ group: g, score }) => g.map((other) => ({ other, score })))];
      let best: { other: Print; score: number } | undefined;
      for (const c of candidates) if (!best || c.score > best.score || (c.score === best.score && compare(c.other.student, best.other.student) < 0)) best = c;
      if (best) closest.set(print, best);
    }
  }
  return closest;
}

/** The flags for a class. `threshold` and `minFingerprints` are for tests. */
export function copyFlags(challenges: ChallengeSubmissions[], options: { threshold?: number; minFingerprints?: number } = {}): CopyFlags {
  const threshold = options.threshold ?? COPY_THRESHOLD;
  const smallest = options.minFingerprints ?? MIN_FINGERPRINTS;
  const pairs: CopyPair[] = [];
  const reference: ReferenceMatch[] = [];
  let tooSmall = 0;
  for (const challenge of challenges) {
    const base = fingerprints(challenge.stub ?? "");
    const prints: Print[] = challenge.submissions.map(({ student, source }) => ({ student, source, set: without(fingerprints(source), base) }));
    const comparable = prints.filter((p) => p.set.size >= smallest);
    tooSmall += prints.length - comparable.length;
    const groups = groupsOf(comparable);
    const solution = challenge.reference === undefined ? undefined : without(fingerprints(challenge.reference), base);
    const alikeToReference = new Set<Print>();
    if (solution && solution.size >= smallest) {
      for (const group of groups) {
        const score = jaccard(group[0]!.set, solution);
        if (score < threshold) continue;
        for (const p of group) {
          alikeToReference.add(p);
          reference.push({ challenge: challenge.id, student: p.student, score: round(score), identical: p.source === challenge.reference });
        }
      }
    }
    const seen = new Set<string>();
    for (const [print, { other, score }] of closestMatches(groups, threshold)) {
      if (alikeToReference.has(print)) continue;
      const students = [print.student, other.student].sort() as [string, string];
      const key = JSON.stringify(students);
      if (seen.has(key)) continue;
      seen.add(key);
      pairs.push({ challenge: challenge.id, students, score: round(score), identical: print.source === other.source });
    }
  }
  const order = new Map(challenges.map((c, index) => [c.id, index]));
  const byChallenge = (a: { challenge: string }, b: { challenge: string }) => order.get(a.challenge)! - order.get(b.challenge)!;
  pairs.sort((a, b) => b.score - a.score || byChallenge(a, b) || compare(a.students[0], b.students[0]) || compare(a.students[1], b.students[1]));
  reference.sort((a, b) => b.score - a.score || byChallenge(a, b) || compare(a.student, b.student));
  return { threshold, method: COPY_METHOD, pairs, reference, tooSmall };
}
