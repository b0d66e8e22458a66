// The machine-readable reason beside an error's message, from what grading knows.
import { describe, expect, test } from "vitest";
import { deadLetterKind, loadErrorKind, processEndError, processEndKind } from "../../runner/grading/error-kind.ts";

const ended = { timedOut: false, flooded: false, stderr: "" };

describe("a grading process that ended before its tests did", () => {
  test("timed out: timeout, with the limit in the message", () => {
    expect(processEndError({ ...ended, timedOut: true }, 5_000)).toEqual({ kind: "timeout", message: "Timed out after 5 s: an infinite loop, or a promise that never settles?" });
  });

  test("stopped for printing too much: output-cap", () => {
    expect(processEndKind({ ...ended, flooded: true })).toBe("output-cap");
  });

  test("died saying its heap ran out: memory", () => {
    const stderr = "<--- Last few GCs --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory";
    expect(processEndError({ ...ended, signal: "SIGABRT", stderr }, 5_000)).toMatchObject({ kind: "memory", message: expect.stringMatching(/ran out of memory/) });
  });

  test("exited or was killed otherwise: crash, with how it ended", () => {
    expect(processEndError({ ...ended, exitCode: 1, stderr: "bye" }, 5_000)).toMatchObject({ kind: "crash", message: expect.stringMatching(/exit code 1[^]*bye/) });
    expect(processEndKind({ ...ended, stderr: "" })).toBe("crash");
  });
});

describe("a test file that did not load", () => {
  test("esbuild's transform failure is syntax", () => {
    expect(loadErrorKind(["Error: Transform failed with 1 error:\n\n[PARSE_ERROR] Unexpected token"])).toBe("syntax");
    expect(loadErrorKind(["SyntaxError: Unexpected token '}'"])).toBe("syntax");
  });

  test("JSON.parse throwing at import is a crash, not a syntax error in the challenge", () => {
    expect(loadErrorKind(["SyntaxError: Unexpected token x in JSON at position 0"])).toBe("crash");
  });

  test("process.exit at import is a crash; a worker out of memory is memory", () => {
    expect(loadErrorKind(['Error: process.exit unexpectedly called with "0"'])).toBe("crash");
    expect(loadErrorKind(["Error: Worker terminated due to reaching memory limit: JS heap out of memory"])).toBe("memory");
  });
});

describe("a dead letter", () => {
  test("whose source does not match its digest, or whose job data is malformed, was tampered with", () => {
    expect(deadLetterKind("the submitted source does not match its sha256")).toBe("tampered");
    expect(deadLetterKind("malformed job data")).toBe("tampered");
  });

  test("that killed its worker every time crashed; anything else is other", () => {
    expect(deadLetterKind("its worker died 3 times while holding it")).toBe("crash");
    expect(deadLetterKind("its grading was started 3 times and the worker died each time (does the submission kill or exhaust the process that grades it?)")).toBe("crash");
    expect(deadLetterKind('this course has no challenge "nope"')).toBe("other");
  });
});
