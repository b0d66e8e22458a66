import { describe, expect, test } from "vitest";
import { diffOutput, visibleWhitespace } from "../../runner/experiment/diff.ts";
import { normalizeLines, type ExpectedBlock } from "../../runner/experiment/match.ts";

const diff = (expected: string, actual: string) => diffOutput([{ lines: expected.split("\n"), unordered: false, line: 1 }], normalizeLines(actual));

describe("diffOutput names the cause", () => {
  test("extra lines, such as a debug print, and where the first one is", () => {
    const result = diff("a\nb\nc", "a\nDEBUG x=1\nb\nc");
    expect(result.cause).toMatch(/1 extra line\(s\), the first at output line 2: debug output/);
    expect(result.firstDivergence).toBe(2);
    expect(result.lines.map((l) => l.kind)).toEqual(["same", "extra", "same", "same"]);
  });
  test("lines that never came: the experiment stopped early", () => {
    const result = diff("a\nb\nc", "a\nb");
    expect(result.cause).toMatch(/1 expected line\(s\) never printed/);
    expect(result.firstDivergence).toBe(3);
  });
  test("only numbers differ: a duration or id that varies", () => {
    expect(diff("took 10 ms\nid 42", "took 12 ms\nid 43").cause).toMatch(/Only numbers differ/);
  });
  test("only whitespace differs, shown visibly", () => {
    const result = diff("a  b", "a b");
    expect(result.cause).toMatch(/Only whitespace differs/);
    expect(result.showWhitespace).toBe(true);
    expect(visibleWhitespace("a \tb")).toBe("a·→b");
  });
  test("the same lines in another order suggest an unordered block", () => {
    expect(diff("a\nb\nc", "c\na\nb").cause).toMatch(/another order.*unordered/);
  });
  test("nothing printed at all", () => {
    expect(diff("a", "").cause).toMatch(/printed nothing/);
  });
  test("lines absorbed by ... are marked as such, not as differences", () => {
    const result = diff("a\n...\nz\nEND", "a\nb\nc\nz");
    expect(result.lines.filter((l) => l.kind === "gap").map((l) => l.text)).toEqual(["b", "c"]);
    expect(result.lines.at(-1)).toEqual({ kind: "missing", text: "END" });
  });
  test("a long output is aligned without blowing up", () => {
    const actual = Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join("\n");
    const expected: ExpectedBlock[] = [{ lines: ["line 0", "...", "nope"], unordered: false, line: 1 }];
    expect(diffOutput(expected, normalizeLines(actual)).lines.length).toBeGreaterThan(0);
  });
});
