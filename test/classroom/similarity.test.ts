// Winnowing over normalised tokens: a copy with new names, comments and
// layout is the same; an answer written another way is not.
import { describe, expect, test } from "vitest";
import { fingerprints, jaccard, K, kgramHashes, normalisedTokens, winnow, WINDOW, without } from "../../runner/classroom/similarity.ts";
import { DISGUISED, INDEPENDENT, ORIGINAL } from "./samples.ts";

describe("normalised tokens", () => {
  test("names become one token, literals one per kind; keywords and punctuators stay", () => {
    expect(normalisedTokens('const total: number = count + 1; const s = "a";')).toEqual(["const", "$id", ":", "number", "=", "$id", "+", "$num", "const", "$id", "=", "$str"]);
  });

  test("comments, whitespace, semicolons and trailing commas go", () => {
    expect(normalisedTokens("f(a, b,)  // x\n/* y */ ;")).toEqual(normalisedTokens("f(a,b)"));
  });

  test("templates and regular expressions are tokens of their own kind", () => {
    expect(normalisedTokens("const t = `a${b}c${d}e`; const r = /x+/g;")).toEqual(["const", "$id", "=", "$template-head", "$id", "$template-middle", "$id", "$template-tail", "const", "$id", "=", "$re"]);
  });

  test("never throws, whatever it is given: unterminated strings, binary, an empty file", () => {
    for (const source of ['const s = "never closed', "\u0000\u0001\uFFFF\uD800", "", "}}}{{{"]) expect(() => normalisedTokens(source)).not.toThrow();
  });
});

describe("winnowing", () => {
  test("a sequence shorter than one k-gram has no fingerprint", () => {
    expect(kgramHashes(Array.from({ length: K - 1 }, () => "x"))).toEqual([]);
    expect(winnow([])).toEqual(new Set());
  });

  test("keeps the smallest hash of every window, so a shared run of K + WINDOW - 1 tokens always shares a fingerprint", () => {
    const hashes = [9, 4, 7, 4, 8, 6, 5, 3, 9, 2, 7];
    // Windows of 4 take positions 3, 3, 3, 3 (the rightmost 4), 7, 7 (the 3), 9, 9 (the 2).
    expect(winnow(hashes, 4)).toEqual(new Set([4, 3, 2]));
    const shared = ["if", "(", "x", ")", "{", "return", "[", "1", ",", "2", "]", "}", "while", "!", "y"];
    expect(shared).toHaveLength(K + WINDOW - 1);
    const a = fingerprints(["class", "C", "extends", "D", ...shared].join(" "));
    const b = fingerprints([...shared, "yield", "await", "typeof"].join(" "));
    expect(jaccard(a, b)).toBeGreaterThan(0);
  });
});

describe("similarity", () => {
  test("a copy with new names, comments, literals and layout scores 1", () => {
    expect(jaccard(fingerprints(ORIGINAL), fingerprints(DISGUISED))).toBe(1);
  });

  test("the same task solved another way scores low", () => {
    expect(jaccard(fingerprints(ORIGINAL), fingerprints(INDEPENDENT))).toBeLessThan(0.3);
  });

  test("a copy with one function rewritten scores in between", () => {
    const halfCopied = ORIGINAL.replace(/export function backoffSchedule[^]*$/, INDEPENDENT.slice(INDEPENDENT.indexOf("export const backoffSchedule")));
    const score = jaccard(fingerprints(ORIGINAL), fingerprints(halfCopied));
    expect(score).toBeGreaterThan(0.4);
    expect(score).toBeLessThan(1);
  });

  test("the stub's fingerprints are nobody's own: without them, two stubs with nothing added share nothing", () => {
    const stub = "export async function retry<T>(task: () => Promise<T>, options: { attempts: number; baseMs: number }): Promise<T> {\n  throw new Error(`TODO`);\n}\n";
    const base = fingerprints(stub);
    expect(base.size).toBeGreaterThan(0);
    expect(without(fingerprints(stub), base).size).toBe(0);
    expect(jaccard(without(fingerprints(stub), base), without(fingerprints(stub), base))).toBe(0);
  });

  test("jaccard is symmetric, 1 for equal sets, 0 for disjoint or empty ones", () => {
    const a = new Set([1, 2, 3]);
    const b = new Set([2, 3, 4, 5]);
    expect(jaccard(a, b)).toBe(jaccard(b, a));
    expect(jaccard(a, b)).toBeCloseTo(2 / 5);
    expect(jaccard(a, new Set(a))).toBe(1);
    expect(jaccard(a, new Set([7]))).toBe(0);
    expect(jaccard(new Set(), new Set())).toBe(0);
  });
});
