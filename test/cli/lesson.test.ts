import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { cli, fixtures } from "./run-cli.ts";

const outcomes = path.join(fixtures, "outcomes");

describe("npm run lesson <id>", () => {
  test("pass: renders the lesson, runs the experiment, reports the match, exits 0 and records progress", () => {
    const run = cli(["lesson", "pass"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("A lesson whose experiment matches");
    expect(run.stdout).toContain("console.log(\"hello\")");
    expect(run.stdout).toContain("✓ The output matches");
    expect(run.stdout).not.toContain("First hint.");
    const progress = JSON.parse(readFileSync(path.join(run.workspace, "progress.json"), "utf8"));
    expect(progress.lessons.pass.experimentMatchedAt).toMatch(/^\d{4}-/);
  });

  test("mismatch: a diff, the first diverging line and the likely cause; exit 1", () => {
    const run = cli(["lesson", "mismatch", "--quiet"], { root: outcomes });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("first difference at output line 2");
    expect(run.stdout).toContain("+ debug: x = 1");
    expect(run.stdout).toMatch(/Likely cause: 1 extra line\(s\), the first at output line 2: debug output left in\?/);
  });

  test("numbers-differ: names the varying number as the cause", () => {
    const run = cli(["lesson", "numbers-differ", "--quiet"], { root: outcomes });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("Only numbers differ");
  });

  test("timeout: an experiment that never exits is stopped at its limit; exit 1", () => {
    const run = cli(["lesson", "timeout", "--quiet"], { root: outcomes });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("stopped after 1 s (timeout_seconds)");
  });

  test("output-flood: stopped at 1 MB and reported; exit 1", () => {
    const run = cli(["lesson", "output-flood", "--quiet", "--json"], { root: outcomes });
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).problem).toMatch(/more than 1 MB/);
  });

  test("crash: the error is shown; exit 1", () => {
    const run = cli(["lesson", "crash", "--quiet"], { root: outcomes });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("The experiment crashed");
    expect(run.stdout).toContain("the experiment broke");
  });

  test("exit-code and compile-error are failures with their reason", () => {
    expect(cli(["lesson", "exit-code", "--quiet"], { root: outcomes }).stdout).toContain("exited with code 3");
    const compile = cli(["lesson", "compile-error", "--quiet"], { root: outcomes });
    expect(compile.status).toBe(1);
    expect(compile.stdout).toMatch(/does not compile:\n.*experiment\.ts:1/);
  });

  test("unordered: lines in another order match an unordered block", () => {
    expect(cli(["lesson", "unordered", "--quiet"], { root: outcomes }).status).toBe(0);
  });

  test("unknown id: exit 2 with the nearest ids", () => {
    const run = cli(["lesson", "mismach"], { root: outcomes });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown lesson "mismach". Did you mean "mismatch"?');
  });

  test("a bad frontmatter in the course: file:line and the fix, exit 1", () => {
    const run = cli(["lesson", path.join(fixtures, "bad-lessons", "prerequisites-not-a-list", "lesson.md")]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/prerequisites-not-a-list\/lesson\.md:9: `prerequisites` should be a list of lesson ids/);
  });

  test("a missing expected output: named, exit 1", () => {
    const run = cli(["lesson", path.join(fixtures, "bad-lessons", "missing-expected-output", "lesson.md")]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/missing section `## Expected Output`/);
  });

  test("a prerequisite cycle in the course is reported as a path", () => {
    const run = cli(["lesson"], { root: path.join(fixtures, "courses", "cycle") });
    expect(run.stderr).toContain("prerequisite cycle: a → c → b → a");
  });

  test("an unknown prerequisite is reported with a suggestion", () => {
    const run = cli(["verify", "--no-challenges", "--no-types"], { root: path.join(fixtures, "courses", "unknown-prerequisite") });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("unknown prerequisite `retrys` — did you mean `retries`?");
  });

  test("a one-file lesson with an inline JS experiment runs by path, any extension", () => {
    const run = cli(["lesson", path.join(fixtures, "single-file", "inline-experiment.txt"), "--quiet"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("total: 5");
  });

  test("a lesson in the source material's one-file format (phase_title, sequence, inline TypeScript) runs by path and matches", () => {
    const run = cli(["lesson", path.join(fixtures, "single-file", "seed-format.txt"), "--quiet", "--json"]);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ id: "retrying-worker", ok: true });
    expect(report.output).toContain("Job 1 (send-invoice) completed after 3 attempts");
  });

  test("--json prints one JSON object on stdout and nothing else", () => {
    const run = cli(["lesson", "pass", "--json"]);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ id: "pass", ok: true });
  });

  test("the menu without a terminal prints the phases and exits 0 without waiting", () => {
    const run = cli(["lesson"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Phase 1 — Basics");
    expect(run.stdout).toMatch(/→ pass/);
    expect(run.stdout).toMatch(/🔒 add/);
  });

  test("unmet prerequisites: a note without a terminal, and the lesson still runs", () => {
    const run = cli(["lesson", "add", "--quiet"]);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('"add" builds on "pass", not finished yet (experiment matched and challenge passed).');
  });

  test("an unknown option is a usage error", () => {
    expect(cli(["lesson", "pass", "--bogus"]).status).toBe(2);
  });
});
