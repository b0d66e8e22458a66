// results.json to the letter of Exercism's test runner interface
// (exercism/docs, building/tooling/test-runners/interface.md).
import { describe, expect, test } from "vitest";
import { capOutput, errorResults, exercismResults, MAX_OUTPUT_CHARS, OUTPUT_TRUNCATED, summarise, type Results } from "../../runner/grading/results.ts";

const codePoints = (text: string) => [...text].length;

describe("a test's output", () => {
  test("is kept whole up to 500 characters", () => {
    const text = "x".repeat(MAX_OUTPUT_CHARS);
    expect(capOutput(text)).toBe(text);
  });

  test("over 500 characters is cut to at most 500, the spec's truncation notice included", () => {
    const capped = capOutput("y".repeat(10_000));
    expect(capped.length).toBeLessThanOrEqual(500);
    expect(capped.endsWith(OUTPUT_TRUNCATED)).toBe(true);
    expect(capped.startsWith("yyyy")).toBe(true);
  });

  test("of emoji is cut between characters, never inside one, and stays at most 500 however characters are counted", () => {
    for (const pad of [0, 1]) {
      const capped = capOutput(`${"a".repeat(pad)}${"😀".repeat(400)}`);
      expect(capped.length, "UTF-16 units").toBeLessThanOrEqual(500);
      expect(codePoints(capped), "code points").toBeLessThanOrEqual(500);
      expect(capped, "no lone surrogate").not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });
});

describe("the overall status", () => {
  test("is pass when every test passed, fail when one failed or errored, with no top-level message", () => {
    expect(summarise([{ name: "a", status: "pass" }])).toEqual({ version: 2, status: "pass", tests: [{ name: "a", status: "pass" }] });
    const failed = summarise([{ name: "a", status: "pass" }, { name: "b", status: "fail", message: "no" }]);
    expect(failed.status).toBe("fail");
    expect(failed).not.toHaveProperty("message");
    expect(summarise([{ name: "a", status: "pass" }, { name: "b", status: "error", message: "escaped" }]).status).toBe("fail");
  });

  test("is error, with a message and its kind, when no test ran", () => {
    expect(summarise([], { kind: "timeout", message: "Timed out after 5 s" })).toEqual({ version: 2, status: "error", message: "Timed out after 5 s", tests: [], errorKind: "timeout" });
    expect(summarise([])).toMatchObject({ status: "error", errorKind: "other", message: expect.stringMatching(/No hidden test ran/) });
  });

  test("a top-level message longer than the spec's 65,535 characters is cut", () => {
    expect(errorResults({ kind: "crash", message: "m".repeat(100_000) }).message!.length).toBeLessThanOrEqual(65_535);
  });
});

describe("results.json as written (exercismResults)", () => {
  test("claims version 2, and only the spec's fields: no errorKind, no test_code", () => {
    const written = exercismResults(summarise([], { kind: "syntax", message: "Transform failed" }));
    expect(written).toEqual({ version: 2, status: "error", message: "Transform failed", tests: [] });
  });

  test("claims version 3 only when a test is linked to a task", () => {
    const withTask: Results = { version: 2, status: "pass", tests: [{ name: "a", status: "pass", task_id: 1 }, { name: "b", status: "pass" }] };
    expect(exercismResults(withTask)).toEqual({ version: 3, status: "pass", tests: [{ name: "a", status: "pass", task_id: 1 }, { name: "b", status: "pass" }] });
  });

  test("has a top-level message only when the status is error, and a test message whenever a test did not pass", () => {
    // As an older results object may carry one: the file must not.
    const stray = { version: 2, status: "fail", message: "Not submitted", tests: [{ name: "a", status: "fail" }] } as Results;
    const written = exercismResults(stray);
    expect(written).not.toHaveProperty("message");
    expect(written.tests).toEqual([{ name: "a", status: "fail", message: "The test failed." }]);
  });

  test("caps every test's output at 500 characters, notice included, even one recorded uncapped", () => {
    const results: Results = { version: 2, status: "pass", tests: [{ name: "a", status: "pass", output: "z".repeat(2_000) }] };
    const output = (exercismResults(results).tests as Array<{ output: string }>)[0]!.output;
    expect(output.length).toBeLessThanOrEqual(500);
    expect(output).toContain(OUTPUT_TRUNCATED);
  });

  test("keeps the tests in the order they ran (the order of the test file)", () => {
    const names = ["third", "first", "second"];
    const written = exercismResults(summarise(names.map((name) => ({ name, status: "pass" }))));
    expect((written.tests as Array<{ name: string }>).map((t) => t.name)).toEqual(names);
  });
});
