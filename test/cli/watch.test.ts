// Watch mode in a real pseudo-terminal, as a learner uses it: a cleared screen
// before each run, h reveals a hint that stays under the result, only the
// challenge file triggers a run, and after a pass the reference diff and the
// next step wait for n.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { cli, fixtures, repo } from "./run-cli.ts";

const CLEAR = "\u001b[2J\u001b[3J\u001b[H";

interface Step {
  expect?: string;
  send?: string;
  write?: { path: string; content: string };
  sleep?: number;
}

function drive(args: string[], steps: Step[], workspace: string): { status: number | null; output: string; failed: string | null } {
  const input = JSON.stringify({
    argv: ["node", path.join(repo, "runner", "bin.mjs"), ...args],
    env: { CI: "", NO_COLOR: "1", QUEUECRAFT_ROOT: path.join(fixtures, "course"), QUEUECRAFT_WORKSPACE: workspace, COLUMNS: "100", LINES: "200" },
    steps,
    timeout: 90,
  });
  const run = spawnSync("python3", [path.join(fixtures, "pty-driver.py")], { input, encoding: "utf8", timeout: 120_000 });
  return JSON.parse(run.stdout);
}

describe("npm run watch in a terminal", () => {
  test("clears the screen per run, keeps a revealed hint on screen across re-runs, ignores swap files, and after a pass waits for n", () => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), "qc-watch-"));
    const challenge = path.join(workspace, "add", "challenge.ts");
    const run = drive(
      ["watch", "add"],
      [
        { expect: "Watching challenge\\.ts for saves" },
        { send: "h" },
        { expect: "Hint 1 of" },
        // A wrong answer: the check runs again on a cleared screen, and the hint is still shown under it.
        { write: { path: challenge, content: "export function add(a: number, b: number): number {\n  return a - b;\n}\n" } },
        { expect: "── add: challenge[\\s\\S]*FAIL[\\s\\S]*Hint 1 of[\\s\\S]*Watching challenge\\.ts" },
        // An editor's swap file beside it is no save.
        { write: { path: path.join(workspace, "add", ".challenge.ts.swp"), content: "x" } },
        { sleep: 1.5 },
        { write: { path: challenge, content: "export function add(a: number, b: number): number {\n  return a + b;\n}\n" } },
        { expect: "add is done\\." },
        { expect: "The reference solution, compared with yours" },
        { expect: "press n to go on, q to quit\\." },
        { sleep: 1 },
        { send: "n" },
        { expect: "── pass" },
        { send: "q" },
      ],
      workspace,
    );
    expect(run.failed, run.output.slice(-2000)).toBeNull();
    expect(run.status).toBe(0);
    const runs = run.output.split("── add: challenge").length - 1;
    expect(runs, "the stub, the wrong answer and the right one: three runs, none for the swap file").toBe(3);
    expect(run.output.split(CLEAR).length - 1, "the screen is cleared before every run").toBeGreaterThanOrEqual(runs);
    const afterPass = run.output.slice(run.output.indexOf("add is done."));
    expect(afterPass.indexOf("── pass"), "the next lesson starts only after n").toBeGreaterThan(afterPass.indexOf("press n to go on"));
  });

  test("--json is a usage error for watch", () => {
    const run = cli(["watch", "add", "--json"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("watch is for a person at a terminal");
  });
});
