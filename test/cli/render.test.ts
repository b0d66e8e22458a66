import { describe, expect, test } from "vitest";
import { cut, renderMarkdown, plainStyle } from "../../runner/cli/render.ts";

describe("renderMarkdown", () => {
  test("bullets, numbered items and their wrapped lines line up", () => {
    expect(renderMarkdown(["- first item", "  wraps here", "", "1. one", "two"], plainStyle)).toEqual(["  • first item", "    wraps here", "", "  1. one", "     two"]);
  });
  test("headings, quotes, code fences and inline code lose their markup", () => {
    expect(renderMarkdown(["## Title", "> a `quote`", "```ts", "const x = 1;", "```", "**bold** and *em*"], plainStyle)).toEqual([
      "Title",
      "▌ a quote",
      "  │ const x = 1;",
      "bold and em",
    ]);
  });
});

describe("code in a terminal", () => {
  test("a code line wider than the screen is cut with an ellipsis, never wrapped through the gutter", () => {
    expect(cut("const x = 1;", 80)).toBe("const x = 1;");
    expect(cut("x".repeat(100), 20)).toBe(`${"x".repeat(19)}…`);
    const rendered = renderMarkdown(["```ts", `const long = "${"y".repeat(200)}";`, "```"], plainStyle, 40);
    expect(rendered).toHaveLength(1);
    expect([...rendered[0]!].length).toBe(40);
    expect(rendered[0]!.endsWith("…")).toBe(true);
  });

  test("piped (no width), code lines are kept whole", () => {
    const line = `const long = "${"y".repeat(200)}";`;
    expect(renderMarkdown(["```ts", line, "```"], plainStyle)).toEqual([`  │ ${line}`]);
  });
});
