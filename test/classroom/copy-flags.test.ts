// Copy flags for a class: alike pairs and matches of the reference solution,
// for a person to look at.
import { describe, expect, test } from "vitest";
import { COPY_THRESHOLD, copyFlags, type ChallengeSubmissions } from "../../runner/classroom/copy-flags.ts";
import { DISGUISED, INDEPENDENT, ORIGINAL } from "./samples.ts";

const STUB = "export async function retry<T>(task: () => Promise<T>, options: { attempts: number; baseMs: number }): Promise<T> {\n  throw new Error(`TODO`);\n}\n";

const challenge = (submissions: Record<string, string>, extra: Partial<ChallengeSubmissions> = {}): ChallengeSubmissions => ({
  id: "retry",
  stub: STUB,
  submissions: Object.entries(submissions).map(([student, source]) => ({ student, source })),
  ...extra,
});

describe("pairs of submissions", () => {
  test("a disguised copy is flagged with its score; an answer written another way is not", () => {
    const flags = copyFlags([challenge({ ada: ORIGINAL, bob: DISGUISED, cy: INDEPENDENT })]);
    expect(flags.pairs).toEqual([{ challenge: "retry", students: ["ada", "bob"], score: 1, identical: false }]);
    expect(flags.threshold).toBe(COPY_THRESHOLD);
  });

  test("byte-identical files are flagged as identical", () => {
    expect(copyFlags([challenge({ zoe: ORIGINAL, amy: ORIGINAL })]).pairs).toEqual([{ challenge: "retry", students: ["amy", "zoe"], score: 1, identical: true }]);
  });

  test("flags are listed most alike first, then in the course's order of challenges", () => {
    const partly = ORIGINAL.replace(/export function backoffSchedule[^]*$/, "export const backoffSchedule = (a: number, b: number): number[] => [a, b];\n");
    const flags = copyFlags([challenge({ a: ORIGINAL, b: partly }, { id: "first" }), challenge({ c: ORIGINAL, d: DISGUISED }, { id: "second" })], { threshold: 0.5 });
    expect(flags.pairs.map((p) => p.challenge)).toEqual(["second", "first"]);
    expect(flags.pairs[1]!.score).toBeLessThan(1);
  });

  test("students of different challenges are never paired", () => {
    const flags = copyFlags([challenge({ ada: ORIGINAL }, { id: "one" }), challenge({ bob: ORIGINAL }, { id: "two" })]);
    expect(flags.pairs).toEqual([]);
  });

  test("submissions with too little code of their own are not compared, and counted", () => {
    const tiny = "export async function retry<T>(task: () => Promise<T>): Promise<T> {\n  return task();\n}\n";
    const flags = copyFlags([challenge({ ada: tiny, bob: tiny })]);
    expect(flags.pairs).toEqual([]);
    expect(flags.tooSmall).toBe(2);
  });

  test("what the stub gives everyone does not make two submissions alike", () => {
    // Both keep the stub and add different code of their own.
    const flags = copyFlags([challenge({ ada: `${STUB}\n${ORIGINAL}`, bob: `${STUB}\n${INDEPENDENT}` })]);
    expect(flags.pairs).toEqual([]);
  });
});

describe("matches of the reference solution", () => {
  test("a submission that is the reference, disguised, is flagged; one written another way is not", () => {
    const flags = copyFlags([challenge({ ada: DISGUISED, cy: INDEPENDENT }, { reference: ORIGINAL })]);
    expect(flags.reference).toEqual([{ challenge: "retry", student: "ada", score: 1, identical: false }]);
  });

  test("a challenge without a reference solution has no such flag", () => {
    expect(copyFlags([challenge({ ada: ORIGINAL })]).reference).toEqual([]);
  });
});

describe("a class of many copies", () => {
  test("ten copies of one file read as nine pairs with the first by name, not forty-five", () => {
    const names = ["j", "i", "h", "g", "f", "e", "d", "c", "b", "a"];
    const flags = copyFlags([challenge(Object.fromEntries(names.map((n, i) => [n, i % 2 ? DISGUISED : ORIGINAL])))]);
    expect(flags.pairs.map((p) => p.students)).toEqual(["b", "c", "d", "e", "f", "g", "h", "i", "j"].map((n) => ["a", n]));
    expect(flags.pairs.every((p) => p.score === 1)).toBe(true);
  });

  test("a submission alike to the reference is listed against the reference, and not paired again", () => {
    const flags = copyFlags([challenge({ ada: ORIGINAL, bob: DISGUISED, cy: INDEPENDENT, dee: INDEPENDENT }, { reference: ORIGINAL })]);
    expect(flags.reference.map((r) => r.student)).toEqual(["ada", "bob"]);
    expect(flags.pairs, "cy and dee are alike, and not the reference").toEqual([{ challenge: "retry", students: ["cy", "dee"], score: 1, identical: true }]);
  });

  test("the same class gives the same flags, in the same order, whatever order the files come in", () => {
    const input = [challenge({ e: ORIGINAL, d: DISGUISED, c: ORIGINAL, b: INDEPENDENT, a: DISGUISED })];
    const first = copyFlags(input);
    expect(first.pairs.map((p) => p.students)).toEqual([["a", "c"], ["a", "d"], ["a", "e"]]);
    expect(JSON.stringify(copyFlags([{ ...input[0]!, submissions: [...input[0]!.submissions].reverse() }]))).toBe(JSON.stringify(first));
  });
});
