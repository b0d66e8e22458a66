import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { matchLine, matchOutput, normalizeLines, type ExpectedBlock } from "../../runner/experiment/match.ts";

const block = (text: string, unordered = false): ExpectedBlock => ({ lines: text.split("\n"), unordered, line: 1 });
const matches = (expected: string, actual: string, unordered = false) => matchOutput([block(expected, unordered)], normalizeLines(actual));

describe("normalizeLines", () => {
  test("turns CRLF and CR into LF, strips trailing spaces and trailing blank lines", () => {
    expect(normalizeLines("a  \r\nb\t\rc\n\n\n")).toEqual(["a", "b", "c"]);
  });
  test("keeps leading whitespace and blank lines in the middle", () => {
    expect(normalizeLines("  a\n\nb")).toEqual(["  a", "", "b"]);
  });
});

describe("matchLine", () => {
  test("a line without ... must be equal", () => {
    expect(matchLine("abc", "abc")).toBe(true);
    expect(matchLine("abc", "abcd")).toBe(false);
  });
  test("... inside a line matches any text, including none", () => {
    expect(matchLine("took ... ms", "took 12 ms")).toBe(true);
    expect(matchLine("took ... ms", "took  ms")).toBe(true);
    expect(matchLine("took ... ms", "took 12 s")).toBe(false);
    expect(matchLine("a...b...c", "a-b-b-c")).toBe(true);
    expect(matchLine("ab...ba", "aba")).toBe(false);
  });
});

describe("matchOutput", () => {
  test("exact lines match; anything else does not", () => {
    expect(matches("a\nb", "a\nb\n")).toBe(true);
    expect(matches("a\nb", "a\nb\nc")).toBe(false);
    expect(matches("a\nb", "a")).toBe(false);
  });
  test("... alone on a line matches any run of lines, none included", () => {
    expect(matches("a\n...\nz", "a\nz")).toBe(true);
    expect(matches("a\n...\nz", "a\nb\nc\nz")).toBe(true);
    expect(matches("a\n...\nz", "a\nb\nc")).toBe(false);
    expect(matches("...\nz", "x\ny\nz")).toBe(true);
    expect(matches("a\n...", "a\nanything\nat all")).toBe(true);
    expect(matches("...", "")).toBe(true);
  });
  test("a gap between two segments finds the later segment wherever it stands", () => {
    expect(matches("a\n...\nb\nc\n...\nd", "a\nb\nx\nb\nc\ny\nd")).toBe(true);
    expect(matches("a\n...\nb\nc\n...\nd", "a\nb\nx\nc\nd")).toBe(false);
  });
  test("an unordered block matches its lines in any order, and only those", () => {
    expect(matches("b\na\nc", "a\nb\nc", true)).toBe(true);
    expect(matches("b\na\nc", "a\nb\nb", true)).toBe(false);
    expect(matches("b\na", "a\nb\nc", true)).toBe(false);
  });
  test("ordered and unordered blocks combine in sequence", () => {
    const blocks = [block("start"), block("y\nx", true), block("end")];
    expect(matchOutput(blocks, ["start", "x", "y", "end"])).toBe(true);
    expect(matchOutput(blocks, ["start", "x", "end", "y"])).toBe(false);
  });
  test("replacing any lines of the output with ... still matches (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-c]{0,3}$/), { maxLength: 12 }), fc.array(fc.boolean(), { maxLength: 12 }), (lines, holes) => {
        const actual = normalizeLines(lines.join("\n"));
        const expected = actual.map((line, i) => (holes[i] ? "..." : line));
        return matchOutput([block(expected.join("\n"))], actual);
      }),
    );
  });
  test("stays linear on pathological input: long output of near-misses, many gaps", () => {
    const actual = [...Array.from({ length: 200_000 }, () => "a"), "b"];
    const pattern = ["...", ...Array.from({ length: 2_000 }, () => "a"), "b"].join("\n");
    expect(matchOutput([block(pattern)], actual)).toBe(true);
    const gaps = Array.from({ length: 5_000 }, () => "...\na").join("\n") + "\n...\nc";
    expect(matchOutput([block(gaps)], actual)).toBe(false);
    expect(matchLine("...".repeat(2_000) + "b", "a".repeat(100_000))).toBe(false);
  });
});
