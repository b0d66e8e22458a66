import { describe, expect, test } from "vitest";
import { renderMarkdown, plainStyle } from "../../runner/cli/render.ts";

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
