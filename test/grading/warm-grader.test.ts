// Watch mode's re-check: a grading child kept alive between saves
// (runner/grading/warm-grader.ts), whose next run waits, worker booted, for
// the save. What a learner relies on: every re-check grades what is on disk
// now, and a candidate that hangs costs one timed-out check, not the session.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { WarmGrader } from "../../runner/grading/warm-grader.ts";
import { fixtures, repo } from "../cli/run-cli.ts";

const course = path.join(fixtures, "course");
const scratchRoot = path.join(course, ".queuecraft", "test-warm");
let scratch: string;

const answers = {
  right: "export function add(a: number, b: number): number {\n  return a + b;\n}\n",
  smallOnly: "export function add(a: number, b: number): number {\n  return a === 2 && b === 3 ? 5 : 0;\n}\n",
  hangs: "export function add(a: number, b: number): number {\n  for (;;) {}\n}\n",
};

beforeAll(() => {
  // The grading child runs from runner/dist, which the CLI rebuilds when a source is newer.
  execFileSync(process.execPath, [path.join(repo, "runner", "bin.mjs"), "check", "--help"], { stdio: "ignore" });
  mkdirSync(scratchRoot, { recursive: true });
  scratch = mkdtempSync(path.join(scratchRoot, "run-"));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function graderFor(file: string, timeoutMs = 30_000): WarmGrader {
  return new WarmGrader({ folder: "1-basics/02-add", candidate: file }, { root: course, timeoutMs });
}

const passed = (results: Awaited<ReturnType<WarmGrader["run"]>>) => (results.tests ?? []).filter((t) => t.status === "pass").length;

describe("watch mode's warm re-check", () => {
  test("every re-check grades the file as saved, however many times it changes", async () => {
    const file = path.join(scratch, "edits.ts");
    writeFileSync(file, answers.right);
    const grader = graderFor(file);
    try {
      const seen: string[] = [];
      for (const answer of ["right", "smallOnly", "smallOnly", "right", "smallOnly"] as const) {
        writeFileSync(file, answers[answer]);
        const results = await grader.run();
        seen.push(`${answer}: ${results.status} ${passed(results)}/${results.tests?.length}`);
      }
      expect(seen).toEqual(["right: pass 2/2", "smallOnly: fail 1/2", "smallOnly: fail 1/2", "right: pass 2/2", "smallOnly: fail 1/2"]);
    } finally {
      grader.close();
    }
  });

  test("a candidate that hangs times out that check only: the next save is graded by a fresh child", async () => {
    const file = path.join(scratch, "hang.ts");
    writeFileSync(file, answers.right);
    const grader = graderFor(file, 4_000);
    try {
      expect((await grader.run()).status).toBe("pass");
      writeFileSync(file, answers.hangs);
      const hung = await grader.run();
      expect(hung.status).toBe("error");
      expect(hung.message).toMatch(/Timed out after 4 s/);
      writeFileSync(file, answers.right);
      expect((await grader.run()).status).toBe("pass");
    } finally {
      grader.close();
    }
  });
});
