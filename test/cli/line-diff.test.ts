import { describe, expect, test } from "vitest";
import { codeLines, lineDiff } from "../../runner/cli/line-diff.ts";
import { plainStyle } from "../../runner/cli/render.ts";

describe("the reference-vs-yours diff after a pass", () => {
  test("comment-only lines, doc comments and blank lines are not code", () => {
    const source = ["/**", " * [C1] The contract.", " */", "export function f(): number {", "  // a note", "", "  return 1; // kept: code with a comment", "  /* one line */", "}"].join("\n");
    expect(codeLines(source)).toEqual(["export function f(): number {", "  return 1; // kept: code with a comment", "}"]);
  });

  test("a URL in a string is code, not a comment", () => {
    expect(codeLines('const url = "http://x";')).toEqual(['const url = "http://x";']);
  });

  test("shows the changed lines with one line of context, elides what both share, never the shared comments", () => {
    const shared = Array.from({ length: 20 }, (_, i) => `  const v${i} = ${i};`);
    const yours = ["/** Docs. */", "export function f() {", ...shared, "  return v1 + v2;", "}"].join("\n");
    const reference = ["/** Docs. */", "export function f() {", ...shared, "  return v2 + v1;", "}"].join("\n");
    const diff = lineDiff(yours, reference, plainStyle).split("\n");
    expect(diff).toEqual(["  ⋯", "    const v19 = 19;", "+   return v2 + v1;", "-   return v1 + v2;", "  }"]);
  });
});
