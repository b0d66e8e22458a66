// grade's progress line: names what is being graded, counts each submission
// once, and ends its line before anything else is printed.
import { afterEach, describe, expect, onTestFinished, test, vi } from "vitest";
import type { Context } from "../../runner/cli/args.ts";
import { label, Progress, progressText } from "../../runner/cli/progress.ts";

function context(json = false): Context & { lines: string[] } {
  const lines: string[] = [];
  return { root: "/", json, interactive: false, style: {} as Context["style"], out: (t) => lines.push(t), err: (t) => lines.push(t), lines };
}

/** What the line wrote to a terminal. */
function onTerminal(): { written: () => string } {
  const original = process.stderr.isTTY;
  Object.defineProperty(process.stderr, "isTTY", { value: true, configurable: true });
  const chunks: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (chunks.push(String(chunk)), true));
  onTestFinished(() => {
    Object.defineProperty(process.stderr, "isTTY", { value: original, configurable: true });
  });
  return { written: () => chunks.join("") };
}

afterEach(() => vi.restoreAllMocks());

describe("the progress line", () => {
  test("reads as a bar, a count and what it is doing", () => {
    expect(progressText(3, 12, "now ada/add")).toBe("[######------------------] 3/12 graded · now ada/add");
    expect(progressText(0, 0, "")).toBe("[########################] 0/0 graded");
  });

  test("a name with control characters cannot move the cursor", () => {
    expect(label("evil\r\u001b[2J", "add")).toBe("evil??[2J/add");
  });

  test("without a terminal: one line per graded submission, naming it, each counted once", () => {
    const ctx = context();
    const progress = new Progress(ctx, 3, 1);
    progress.started("ada/add");
    progress.finished("ada/add");
    progress.finished("ada/add");
    progress.finished("bob/add");
    progress.finish();
    expect(ctx.lines).toEqual(["[################--------] 2/3 graded · graded ada/add", "[########################] 3/3 graded · graded bob/add"]);
  });

  test("on a terminal: redrawn in place, naming what is being graded now, and cleared by finish()", () => {
    const terminal = onTerminal();
    const progress = new Progress(context(), 2);
    progress.started("ada/add");
    progress.started("bob/pass");
    expect(terminal.written()).toContain("0/2 graded · now ada/add, bob/pass");
    progress.finished("ada/add");
    expect(terminal.written()).toContain("1/2 graded · now bob/pass");
    progress.finish();
    const written = terminal.written();
    expect(written.endsWith("\r"), "the table starts at the start of the line").toBe(true);
    expect(written.split("\r").at(-2)!.trim(), "the last thing drawn is blanks over the line").toBe("");
    expect(written.split("\r").at(-2)!.length, "as wide as anything drawn").toBe(written.split("\r").at(-3)!.length);
    expect(written).not.toContain("\n");
    progress.finish();
    expect(terminal.written(), "a second finish() draws nothing").toBe(written);
  });

  test("under --json: nothing at all", () => {
    const terminal = onTerminal();
    const ctx = context(true);
    const progress = new Progress(ctx, 1);
    progress.started("ada/add");
    progress.finished("ada/add");
    progress.finish();
    expect(terminal.written()).toBe("");
    expect(ctx.lines).toEqual([]);
  });
});
