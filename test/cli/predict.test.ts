// `npm run lesson <id> -- --predict`: the questions come before the experiment
// runs, answered from --answers without a terminal or by key at one; each is
// judged, a wrong guess explained, and progress records it. verify rejects a
// prediction whose answer the Expected Output does not show, at its line.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { cli, fixtures, repo } from "./run-cli.ts";

const root = path.join(fixtures, "courses", "predictions");
const progressOf = (workspace: string) => JSON.parse(readFileSync(path.join(workspace, "progress.json"), "utf8"));

describe("lesson <id> --predict with scripted answers", () => {
  test("asks before the run, explains the wrong guess, shows each answer's output line, records both; exit is the experiment's", () => {
    const run = cli(["lesson", "queue-order", "--predict", "--answers", "1,3"], { root });
    expect(run.status, run.stderr).toBe(0);
    const out = run.stdout;
    expect(out).toContain("1. Which job runs first?\n   1) report\n   2) alert\n   3) email\nYour answer: 1 (report)\n✗ Not quite: it is alert. The queue sorts by priority number, lowest first, and alert has p1.");
    expect(out).toContain("2. How many attempts are logged?\nYour answer: 3\n✓ Right: 3.");
    expect(out.indexOf("Your answer: 3"), "the questions come before the experiment's output").toBeLessThan(out.indexOf("Output\n"));
    expect(out).toContain("Your predictions: 1 of 2 right\n✗ Which job runs first? you said report, the output says:\n  │ ran alert (p1)\n✓ How many attempts are logged? you said 3, the output says:\n  │ attempts logged: 3");
    expect(out, "the lesson text never shows a predict block").not.toContain("answer: alert");
    const records = progressOf(run.workspace).lessons["queue-order"].predictions;
    expect(records["Which job runs first?"]).toEqual({ rightFirstTime: false, tries: 1 });
    expect(records["How many attempts are logged?"]).toEqual({ rightFirstTime: true, tries: 1, rightAt: expect.stringMatching(/^\d{4}-/) });
  });

  test("--json prints one JSON object with the answers, and nothing is asked", () => {
    const run = cli(["lesson", "queue-order", "--answers", "b,05", "--json"], { root });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: true,
      predictions: [
        { question: "Which job runs first?", answer: "alert", right: true, expected: "alert" },
        { question: "How many attempts are logged?", answer: "05", right: false, expected: "3" },
      ],
    });
  });

  test("a progress file from before predictions keeps all it had, and the plain run's hint then shows the score", () => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), "qc-predict-"));
    const old = { version: 1, lessons: { "queue-order": { experimentMatchedAt: "2025-01-01T00:00:00.000Z", hintsShown: 1 }, other: { challengePassedAt: "2025-01-02T00:00:00.000Z" } } };
    writeFileSync(path.join(workspace, "progress.json"), JSON.stringify(old));
    const before = cli(["lesson", "queue-order"], { root, workspace });
    expect(before.stdout).toContain("Predict before you look: npm run lesson queue-order -- --predict asks 2 questions about the output before it runs.");
    expect(cli(["lesson", "queue-order", "--answers", "2,4", "--quiet"], { root, workspace }).status).toBe(0);
    const progress = progressOf(workspace);
    expect(progress.lessons.other).toEqual(old.lessons.other);
    expect(progress.lessons["queue-order"]).toMatchObject({ experimentMatchedAt: "2025-01-01T00:00:00.000Z", hintsShown: 1 });
    expect(cli(["lesson", "queue-order"], { root, workspace }).stdout).toContain("Predictions: 2 of 2 answered, 1 right the first time; npm run lesson queue-order -- --predict asks again.");
  });

  test("without a terminal, --predict without --answers is a usage error (exit 2) and nothing runs", () => {
    for (const extra of [[], ["--json"]]) {
      const run = cli(["lesson", "queue-order", "--predict", ...extra], { root });
      expect(run.status).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain("--predict asks its questions at a terminal and never waits without one");
      expect(run.stderr).toContain("--answers 1,<answer>");
    }
  });

  test("an answer that names no choice, or a wrong count of answers, is a usage error naming it", () => {
    const bad = cli(["lesson", "queue-order", "--answers", "7,3"], { root });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--answers: answer 1 "7" to "Which job runs first?": answer with 1-3 (or a-c)');
    const short = cli(["lesson", "queue-order", "--answers", "2"], { root });
    expect(short.status).toBe(2);
    expect(short.stderr).toContain("--answers has 1 answer(s) for 2 prediction(s)");
  });

  test("a lesson without predictions: --predict notes it and runs as usual, --answers is a usage error", () => {
    const plain = cli(["lesson", "pass", "--predict", "--quiet"]);
    expect(plain.status).toBe(0);
    expect(plain.stderr).toContain('Lesson "pass" has no predictions; running it as usual.');
    expect(cli(["lesson", "pass", "--answers", "1"]).status).toBe(2);
  });
});

describe("lesson <id> --predict at a terminal", () => {
  test("one key per choice (others ignored), a line for free text, judged at once, then the run", () => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), "qc-predict-pty-"));
    const input = JSON.stringify({
      argv: ["node", path.join(repo, "runner", "bin.mjs"), "lesson", "queue-order", "--predict", "--no-pager"],
      env: { CI: "", NO_COLOR: "1", QUEUECRAFT_ROOT: root, QUEUECRAFT_WORKSPACE: workspace, COLUMNS: "100", LINES: "200" },
      steps: [
        { expect: "Your answer \\(1-3\\): " },
        { send: "x" },
        { sleep: 0.3 },
        { send: "2" },
        { expect: "✓ Right: alert\\." },
        { expect: "Your answer: " },
        { send: "4\r" },
        { expect: "✗ Not quite: it is 3\\. The loop stops at the third try" },
        { expect: "Your predictions: 1 of 2 right" },
      ],
      timeout: 60,
    });
    const driven = spawnSync("python3", [path.join(fixtures, "pty-driver.py")], { input, encoding: "utf8", timeout: 90_000 });
    const run = JSON.parse(driven.stdout) as { status: number | null; output: string; failed: string | null };
    expect(run.failed, run.output.slice(-2000)).toBeNull();
    expect(run.status).toBe(0);
    expect(run.output, "the ignored key is not taken as an answer").not.toMatch(/Your answer \(1-3\): x/);
    expect(run.output.indexOf("Not quite"), "the experiment runs after the questions").toBeLessThan(run.output.indexOf("Output"));
    expect(progressOf(workspace).lessons["queue-order"].predictions["Which job runs first?"]).toMatchObject({ rightFirstTime: true, tries: 1 });
  });
});

describe("verify on a prediction the output contradicts", () => {
  test("fails the lesson's catalog check with the file and the line of the wrong answer; exit 1", () => {
    const run = cli(["verify", "retries", "--no-types", "--no-challenges", "--json"], { root: path.join(fixtures, "courses", "wrong-prediction") });
    expect(run.status).toBe(1);
    const catalog = JSON.parse(run.stdout).lessons[0].checks.catalog as { ok: boolean; detail: string };
    expect(catalog).toEqual({ ok: false, detail: 'lessons/1-x/01-retries/lesson.md:30: the answer `2` is not in its line "attempts logged: 3": the answer must be what the experiment prints there' });
  });
});
