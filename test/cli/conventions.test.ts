// The command line's conventions, the same for every command: --help and -h,
// unknown options named, exit codes (0 ok, 1 failed, 2 usage, 3 internal
// error), colour per stream with FORCE_COLOR and NO_COLOR, a closed pipe.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { colourFor } from "../../runner/cli/main.ts";
import { cli, fixtures, repo } from "./run-cli.ts";

const ESC = "\u001b[";

describe("command-line conventions", () => {
  test("--help and -h at the top list every command and exit 0; no command at all is a usage error (exit 2)", () => {
    for (const flag of ["--help", "-h"]) {
      const run = cli([flag]);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain("lesson [<id>]");
      expect(run.stdout).toContain("grade <folder>");
    }
    const none = cli([]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("usage: npm run <command>");
  });

  test("every command answers --help and -h with its usage, exit 0", () => {
    for (const command of ["lesson", "check", "hint", "watch", "reset", "verify", "grade", "grade-worker", "bench", "mutation"]) {
      for (const flag of ["--help", "-h"]) {
        const run = cli([command, flag]);
        expect(run.status, `${command} ${flag}`).toBe(0);
        expect(run.stdout, `${command} ${flag}`).toMatch(/^usage: npm run /);
      }
    }
  });

  test("an unknown option is named, with the command's options and usage; exit 2", () => {
    const run = cli(["check", "add", "--timeuot", "5"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown option --timeuot; options: --file, --timeout, --json");
    expect(run.stderr).toContain("usage: npm run check");
  });

  test("a flag that needs a value and has none is a usage error", () => {
    const run = cli(["check", "add", "--timeout"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--timeout/);
  });

  test("a runner failure that is not the learner's (a course whose lessons/ is a file) exits 3 with one line naming a log that holds the stack", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "qc-broken-course-"));
    writeFileSync(path.join(root, "lessons"), "not a folder");
    const run = cli(["lesson", "x"], { root });
    expect(run.status).toBe(3);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^queuecraft: internal error \(a bug in the runner, not in your code\): .*ENOTDIR.*The details are in (\S+)$/);
    const log = /The details are in (\S+)$/.exec(lines[0]!)![1]!;
    expect(readFileSync(log, "utf8")).toMatch(/ENOTDIR[\s\S]*\n\s+at /);
  });

  test("a course root that does not exist is a usage error naming the variable", () => {
    const run = cli(["lesson", "x"], { root: path.join(os.tmpdir(), "qc-no-such-course", "x") });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("is not a folder");
  });

  test("colour: FORCE_COLOR wins either way, NO_COLOR turns it off, otherwise a terminal decides, per stream", () => {
    expect(colourFor({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(colourFor({ isTTY: true }, { FORCE_COLOR: "0" })).toBe(false);
    expect(colourFor({ isTTY: true }, { FORCE_COLOR: "false" })).toBe(false);
    expect(colourFor({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(colourFor({ isTTY: true }, { TERM: "dumb" })).toBe(false);
    expect(colourFor({ isTTY: true }, {})).toBe(true);
    expect(colourFor({ isTTY: false }, {})).toBe(false);
    // Through the CLI: a course problem printed in red on stderr only when colour is forced.
    const root = path.join(fixtures, "courses", "duplicate-id");
    const forced = cli(["lesson"], { root, env: { NO_COLOR: "", FORCE_COLOR: "1" } });
    expect(forced.stderr).toContain(`${ESC}31m`);
    const plain = cli(["lesson"], { root, env: { NO_COLOR: "", FORCE_COLOR: "0" } });
    expect(plain.stderr).toContain("duplicate id `same`");
    expect(plain.stderr).not.toContain(ESC);
  });

  test("a reader that closes the pipe early (| head) ends the run quietly: exit 0, nothing on stderr", () => {
    // 300 KB of output: far more than a pipe holds, so the runner is still writing when head has gone.
    const lesson = path.join(mkdtempSync(path.join(os.tmpdir(), "qc-long-")), "long.md");
    writeFileSync(lesson, ["---", "id: long-output", "title: Long output", "---", "", "## Experiment", "", "```js", 'for (let i = 0; i < 6000; i++) console.log(`line ${i} ${"x".repeat(40)}`);', "```", "", "## Expected Output", "", "```", "...", "```", ""].join("\n"));
    const run = spawnSync("bash", ["-c", `node "${path.join(repo, "runner", "bin.mjs")}" lesson "${lesson}" | head -c 10 >/dev/null; echo "runner exited \${PIPESTATUS[0]}"`], {
      encoding: "utf8",
      env: { ...process.env, CI: "true", NO_COLOR: "1", QUEUECRAFT_ROOT: path.join(fixtures, "course"), QUEUECRAFT_WORKSPACE: mkdtempSync(path.join(os.tmpdir(), "qc-cli-")) },
      timeout: 60_000,
    });
    expect(run.stdout.trim()).toBe("runner exited 0");
    expect(run.stderr).toBe("");
  });
});
