// The student edition, end to end: `release` writes it into a temporary
// folder, the edition's own runner shows a lesson and checks a challenge with
// the public tests there, and nothing in it carries the marker that every
// hidden test and solution file starts with (runner/edition/marker.ts).
//
// The edition gets this checkout's node_modules as a symlink: a real `npm ci`
// of the edition takes 1-2 minutes on this machine, too slow for `npm test`
// (the same lock file is shipped, so the packages are the same; the real
// two-command install is checked by hand, see the README's Instructors section).

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MARKER_TOKEN } from "../../runner/edition/marker.ts";
import { cli, repo } from "../cli/run-cli.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "qc-edition-"));
const edition = path.join(tmp, "edition");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the edition's own runner (runner/bin.mjs inside it), as a student's terminal would. */
function inEdition(args: string[]) {
  const run = spawnSync(process.execPath, [path.join(edition, "runner", "bin.mjs"), ...args], {
    cwd: edition,
    encoding: "utf8",
    timeout: 90_000,
    env: { ...process.env, CI: "true", NO_COLOR: "1", QUEUECRAFT_ROOT: "", QUEUECRAFT_WORKSPACE: "" },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : filesUnder(file);
    return entry.isFile() ? [file] : [];
  });
}

let shipped: string[] = [];

beforeAll(() => {
  const run = cli(["release", "--out", edition, "--json"], { root: repo, timeoutMs: 120_000 });
  expect(run.status, run.stderr).toBe(0);
  shipped = filesUnder(edition).map((file) => path.relative(edition, file).split(path.sep).join("/"));
  symlinkSync(path.join(repo, "node_modules"), path.join(edition, "node_modules"), "dir");
}, 120_000);

describe("the student edition", () => {
  test("has the lessons, the kit, the runner and the public tests, and no solutions, hidden tests, mutants or caches", () => {
    expect(shipped).toContain("lessons/1-foundations/01-request-cycle/challenge.ts");
    expect(shipped).toContain("lessons/_kit/clock.ts");
    expect(shipped).toContain("runner/bin.mjs");
    expect(shipped).toContain("test/public/1-foundations/01-request-cycle/challenge.test.ts");
    expect(shipped).toContain("test/harness/candidate.ts");
    for (const file of ["README.md", "package.json", "package-lock.json", "tsconfig.json", ".gitignore", "queuecraft-edition.json"]) expect(shipped).toContain(file);
    const forbidden = shipped.filter((file) => /^(solutions|workspace|\.queuecraft|gradebook)\/|^test\/hidden\/|^runner\/dist\/|mutants\.ya?ml$/.test(file));
    expect(forbidden).toEqual([]);
    expect(readFileSync(path.join(repo, "package-lock.json"), "utf8"), "the same lock file, so npm ci installs what the checkout has").toBe(readFileSync(path.join(edition, "package-lock.json"), "utf8"));
  });

  test("holds no line of any hidden test or solution: no file carries their marker", () => {
    const leaked = shipped.filter((file) => readFileSync(path.join(edition, file)).includes(MARKER_TOKEN));
    expect(leaked).toEqual([]);
    // The grep is only a proof if the marker is where it should be: on line 1 of every such file in the checkout.
    expect(readFileSync(path.join(repo, "solutions", "1-foundations", "01-request-cycle", "challenge.ts"), "utf8").split("\n")[0]).toContain(MARKER_TOKEN);
    expect(readFileSync(path.join(repo, "test", "hidden", "1-foundations", "01-request-cycle", "challenge.test.ts"), "utf8").split("\n")[0]).toContain(MARKER_TOKEN);
  });

  test("says what it is, with the course fingerprint grade compares submissions with", () => {
    const info = JSON.parse(readFileSync(path.join(edition, "queuecraft-edition.json"), "utf8"));
    expect(info).toMatchObject({ format: 1, edition: "student" });
    expect(info.course).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(info.challenges)).toHaveLength(26);
    const pkg = JSON.parse(readFileSync(path.join(edition, "package.json"), "utf8"));
    expect(Object.keys(pkg.scripts).sort()).toEqual(["check", "hint", "lesson", "reset", "submit", "test", "typecheck", "watch"]);
  });

  test("runs a lesson and a public check with its own runner, and explains what is not there", () => {
    const lesson = inEdition(["lesson", "request-cycle", "--no-pager"]);
    expect(lesson.status, lesson.stderr).toBe(0);
    expect(lesson.stdout).toContain("The output matches the lesson's expected output");
    expect(existsSync(path.join(edition, "runner", "dist", "cli.mjs")), "the runner was built inside the edition").toBe(true);

    const check = inEdition(["check", "request-cycle"]);
    expect(check.status, check.stderr).toBe(1);
    expect(check.stdout).toContain("Public tests for request-cycle");
    expect(check.stdout).toMatch(/\[C8, C9\] example: /);
    expect(check.stdout).toMatch(/FAIL {2}0\/3 public tests pass/);
    expect(check.stdout).toContain("The hidden tests, which decide your grade, are not in this edition: they run when your instructor grades");

    const verify = inEdition(["verify"]);
    expect(verify.status).toBe(2);
    expect(verify.stderr).toContain("needs the instructor's course checkout");
  });

  test("submit packs the workspace into an archive that grade, in this checkout, grades with the hidden tests", () => {
    // Last: the reference solution copied in carries the marker (the grep above ran before).
    copyFileSync(path.join(repo, "solutions", "1-foundations", "01-request-cycle", "challenge.ts"), path.join(edition, "workspace", "request-cycle", "challenge.ts"));
    const classDir = path.join(tmp, "class");
    const submit = inEdition(["submit", "--name", "Ada Lovelace", "--out", classDir, "--json"]);
    expect(submit.status, submit.stderr).toBe(0);
    const packed = JSON.parse(submit.stdout);
    expect(packed.manifest).toMatchObject({ kind: "queuecraft-submission", student: "Ada Lovelace", lessons: ["request-cycle"] });
    expect(packed.manifest.edition.course, "the edition's fingerprint travels with the work").toBe(JSON.parse(readFileSync(path.join(edition, "queuecraft-edition.json"), "utf8")).course);
    const graded = cli(["grade", classDir, "--json", "--out", path.join(tmp, "gradebook")], { root: repo, timeoutMs: 180_000 });
    expect(graded.status, graded.stderr).toBe(0);
    const book = JSON.parse(graded.stdout);
    expect(book.intake.layouts, "a name from submit --name when the LMS gave none").toEqual({ "Ada Lovelace": "archive" });
    expect(book.students[0].cells["request-cycle"].outcome).toBe("passed");
  }, 240_000);

  test("release refuses a folder that holds something else", () => {
    const run = cli(["release", "--out", path.join(edition, "lessons")], { root: repo });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/not empty and holds no earlier edition/);
    expect(statSync(path.join(edition, "lessons")).isDirectory()).toBe(true);
  });
});
