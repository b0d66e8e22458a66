// The five outcomes of a (student, challenge), their totals, and how an
// untouched stub is told from an attempt.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { buildGradebook } from "../../runner/classroom/gradebook.ts";
import { cellOf, cellText, type StudentResults } from "../../runner/classroom/outcome.ts";
import { classResults, isUnchangedStub, readClass } from "../../runner/classroom/submissions.ts";
import type { Lesson } from "../../runner/course/catalog.ts";
import type { Results } from "../../runner/grading/results.ts";

const pass: Results = { version: 2, status: "pass", tests: [{ name: "a", status: "pass" }] };
const fail: Results = { version: 2, status: "fail", tests: [{ name: "a", status: "fail", message: "no" }] };
const crashed: Results = { version: 2, status: "error", message: "process.exit unexpectedly called", tests: [], errorKind: "crash" };

describe("outcomes", () => {
  const ada: StudentResults = { student: "ada", challenges: { a: pass, b: fail, c: crashed }, unchanged: ["d"] };

  test("passed, failed, error with its reason and message, not attempted, not submitted", () => {
    expect(["a", "b", "c", "d", "e"].map((id) => cellOf(ada, id))).toEqual([
      { outcome: "passed" },
      { outcome: "failed" },
      { outcome: "error", reason: "crash", message: "process.exit unexpectedly called" },
      { outcome: "not attempted" },
      { outcome: "not submitted" },
    ]);
    expect(cellText(cellOf(ada, "c"))).toBe("error: crash");
  });

  test("an error recorded without a kind (an older record) reads as other", () => {
    expect(cellOf({ student: "x", challenges: { a: { ...crashed, errorKind: undefined } }, unchanged: [] }, "a").reason).toBe("other");
  });

  test("totals: an untouched stub counts as not submitted, and is counted apart as not attempted", () => {
    expect(buildGradebook(["a", "b", "c", "d", "e"], [ada]).students[0]).toMatchObject({ passed: 1, failed: 1, errors: 1, notSubmitted: 2, notAttempted: 1, total: 5 });
  });
});

describe("the untouched stub", () => {
  const stub = Buffer.from("export function add(a: number, b: number): number {\n  throw new Error(`TODO`);\n}\n");

  test("the same bytes, or the same once a byte order mark and CRLF line ends are set aside, is not attempted", () => {
    expect(isUnchangedStub(stub, stub)).toBe(true);
    expect(isUnchangedStub(Buffer.from(`\uFEFF${stub.toString().replace(/\n/g, "\r\n")}`), stub)).toBe(true);
  });

  test("any other change is an attempt, however small", () => {
    expect(isUnchangedStub(Buffer.from(stub.toString().replace("TODO", "TODO!")), stub)).toBe(false);
    expect(isUnchangedStub(Buffer.from(`${stub}\n`), stub)).toBe(false);
  });

  test("readClass grades neither a missing file nor the stub, and classResults lays out each student", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "qc-class-"));
    const lesson = { meta: { id: "add" }, folder: "1-basics/02-add" } as unknown as Lesson;
    for (const [student, text] of [["ada", "export const add = (a: number, b: number) => a + b;\n"], ["bob", stub.toString()]] as const) {
      mkdirSync(path.join(dir, student, "add"), { recursive: true });
      writeFileSync(path.join(dir, student, "add", "challenge.ts"), text);
    }
    mkdirSync(path.join(dir, "cy"));
    mkdirSync(path.join(dir, ".git"));
    const files = readClass(dir, [lesson], new Map([["add", stub]]));
    expect(files.students).toEqual(["ada", "bob", "cy"]);
    expect(files.submitted.map((s) => s.student)).toEqual(["ada"]);
    expect(files.unchanged).toEqual(new Map([["bob", ["add"]]]));
    expect(classResults(files, [pass])).toEqual([
      { student: "ada", challenges: { add: pass }, unchanged: [] },
      { student: "bob", challenges: {}, unchanged: ["add"] },
      { student: "cy", challenges: {}, unchanged: [] },
    ]);
  });
});
