// Long lessons are paged the way git pages: in a terminal only, when taller
// than the screen, through $PAGER; never without a TTY, with --json or --no-pager.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { pagerCommand, screenLines } from "../../runner/cli/pager.ts";
import { cli, fixtures, repo } from "./run-cli.ts";

/** Runs the CLI in a pseudo-terminal of `rows` rows (util-linux `script`), as a person at a terminal would. */
function inTerminal(args: string, rows: number, env: Record<string, string>) {
  const bin = path.join(repo, "runner", "bin.mjs");
  return spawnSync("script", ["-qec", `stty rows ${rows} cols 80; node "${bin}" ${args}`, "/dev/null"], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, CI: "", NO_COLOR: "1", QUEUECRAFT_ROOT: path.join(fixtures, "course"), QUEUECRAFT_WORKSPACE: mkdtempSync(path.join(os.tmpdir(), "qc-cli-")), ...env },
  });
}

describe("paging a long lesson", () => {
  test("the pager: $QUEUECRAFT_PAGER, then $PAGER, then less; empty or cat means none", () => {
    expect(pagerCommand({})).toBe("less");
    expect(pagerCommand({ PAGER: "most" })).toBe("most");
    expect(pagerCommand({ PAGER: "most", QUEUECRAFT_PAGER: "less -S" })).toBe("less -S");
    expect(pagerCommand({ PAGER: "" })).toBeUndefined();
    expect(pagerCommand({ PAGER: "cat" })).toBeUndefined();
  });

  test("a line longer than the screen counts as the rows it wraps to; colour codes take no room", () => {
    expect(screenLines("a\nb", 80)).toBe(2);
    expect(screenLines("x".repeat(161), 80)).toBe(3);
    expect(screenLines("\u001b[31mred\u001b[39m", 3)).toBe(1);
  });

  test("in a terminal shorter than the lesson, the lesson and its output go through the pager", () => {
    const paged = path.join(mkdtempSync(path.join(os.tmpdir(), "qc-pager-")), "paged.txt");
    const run = inTerminal("lesson pass", 10, { PAGER: `cat > "${paged}"` });
    expect(run.status, run.stderr).toBe(0);
    const text = readFileSync(paged, "utf8");
    expect(text).toContain("A lesson whose experiment matches");
    expect(text).toContain("matches the lesson's expected output");
  });

  test("in a terminal tall enough, or with --no-pager, nothing is paged", () => {
    const marker = path.join(mkdtempSync(path.join(os.tmpdir(), "qc-pager-")), "paged");
    inTerminal("lesson pass", 500, { PAGER: `touch "${marker}"` });
    inTerminal("lesson pass --no-pager", 10, { PAGER: `touch "${marker}"` });
    expect(existsSync(marker)).toBe(false);
  });

  test("without a terminal it never pages", () => {
    const marker = path.join(mkdtempSync(path.join(os.tmpdir(), "qc-pager-")), "paged");
    const run = cli(["lesson", "pass"], { env: { PAGER: `touch "${marker}"` } });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("A lesson whose experiment matches");
    expect(existsSync(marker)).toBe(false);
  });
});
