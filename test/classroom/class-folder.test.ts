// What grade refuses as not a class, decided on the fixture folders of
// test/fixtures/classes/ (each named by the outcome it expects), for the
// fixture course's lessons `pass` and `add`. A student's clone is made here:
// the repository ignores every folder named workspace/.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { classShape, noSubmissions, notAClass } from "../../runner/classroom/class-folder.ts";
import { fixtures } from "../cli/run-cli.ts";

const LESSONS = ["pass", "add"];
const classes = path.join(fixtures, "classes");

/** The problems with a fixture class, named as a person would name it. */
const problemsOf = (dir: string, name = dir) => notAClass(classShape(dir, LESSONS), name, LESSONS);
const fixture = (name: string) => problemsOf(path.join(classes, name), name);

/** A folder holding `files` (path → text). */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "qc-class-shape-"));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

describe("what is not a class", () => {
  test("one student's work: its folders are lesson ids", () => {
    expect(fixture("refuses-a-single-student-folder")).toEqual([
      "refuses-a-single-student-folder looks like one student's work (its folders add, pass are lesson ids): grade the folder that holds one folder per student, e.g. put it in class/<student>/ and run `npm run grade class/`",
    ]);
  });

  test("one student's clone: it has workspace/ itself", () => {
    const clone = tree({ "workspace/add/challenge.ts": "", "package.json": "{}" });
    expect(problemsOf(clone, "ada-clone")).toEqual([expect.stringMatching(/^ada-clone looks like one student's clone \(it has workspace\/ directly\): grade the folder that holds every student's clone/)]);
  });

  test("an empty folder (dot-files do not count)", () => {
    expect(fixture("refuses-an-empty-folder")).toEqual([expect.stringMatching(/^refuses-an-empty-folder is empty: it should hold one folder per student \(<student>\/<lesson-id>\/challenge\.ts\), student clones/)]);
  });

  test("a folder of files grade cannot read: the zip is named, with the fix", () => {
    expect(fixture("refuses-a-folder-of-zips")).toEqual([
      expect.stringMatching(/^refuses-a-folder-of-zips holds no student folder and no submit archive \(found ada_1234_submission\.zip, grades\.csv\): .*; ada_1234_submission\.zip is a zip: unzip the LMS's download first/),
    ]);
  });

  test("a challenge folder not named as a lesson: each named, with the nearest ids", () => {
    expect(fixture("refuses-a-challenge-folder-not-named-as-a-lesson")).toEqual([
      `${path.join("refuses-a-challenge-folder-not-named-as-a-lesson", "bob", "ad", "challenge.ts")}: "ad" is not a lesson id; did you mean "add"? Rename the folder`,
      `${path.join("refuses-a-challenge-folder-not-named-as-a-lesson", "bob", "retries", "challenge.ts")}: "retries" is not a lesson id; no lesson of this course is named like it (a submission for another course?): rename or remove the folder`,
    ]);
  });

  test("a misnamed challenge folder in a clone is named inside its workspace/", () => {
    const dir = tree({ "ada/workspace/pas/challenge.ts": "", "bob/add/challenge.ts": "" });
    expect(problemsOf(dir, "class")).toEqual([`${path.join("class", "ada", "workspace", "pas", "challenge.ts")}: "pas" is not a lesson id; did you mean "pass"? Rename the folder`]);
  });

  test("a student folder with nothing gradable: each named with what it holds and the fix", () => {
    const name = "refuses-a-student-folder-with-nothing-gradable";
    expect(fixture(name)).toEqual([
      `${path.join(name, "bob")} holds nothing to grade (found add.ts, notes.txt): a student's folder holds <lesson-id>/challenge.ts folders, a workspace/ (a clone) or a submit archive: move the files there, or remove the folder`,
      `${path.join(name, "cy")} holds nothing to grade (found challenge.ts): move challenge.ts into a folder named after its lesson: ${path.join(name, "cy", "<lesson-id>", "challenge.ts")}`,
    ]);
  });

  test("a student folder one level too deep: the folder that looks like the student's is named", () => {
    const name = "refuses-a-student-folder-one-level-too-deep";
    expect(fixture(name)).toEqual([`${path.join(name, "bob")} holds nothing to grade (found queuecraft-student): ${path.join(name, "bob", "queuecraft-student")} looks like the student's folder: move what it holds up one level`]);
  });

  test("a class: an empty student folder is a student who handed in nothing, not a problem", () => {
    expect(fixture("lists-an-empty-student-folder")).toEqual([]);
    expect(problemsOf(path.join(fixtures, "class"))).toEqual([]);
  });

  test("a student named like a lesson does not make a class one student's work", () => {
    const dir = tree({ "add/pass/challenge.ts": "", "ada/add/challenge.ts": "", "bob/add/challenge.ts": "" });
    expect(problemsOf(dir)).toEqual([]);
  });

  test("clones and per-student archives are gradable student folders", () => {
    const dir = tree({ "ada/workspace/add/challenge.ts": "", "ada/README.md": "", "bob/bob-queuecraft-submission.tar.gz": "", "carl-queuecraft-submission.tgz": "" });
    expect(problemsOf(dir)).toEqual([]);
  });

  test("no submissions at all: the folder, how many students, and the assigned challenges when some were", () => {
    expect(noSubmissions("class", 2)).toMatch(/^no submissions in class: none of its 2 students handed in a <lesson-id>\/challenge\.ts; it should hold/);
    expect(noSubmissions("class", 1, ["add"])).toMatch(/^no submissions of the assigned challenge \(add\) in class: none of its 1 student handed in .*; check --challenges or the assignment file/);
  });
});
