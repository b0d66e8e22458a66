// Grading results in Exercism's results.json, version 3 (without `test_code`,
// which would give the hidden tests away), plus the pure helpers that make
// them safe to show: scrubbed paths, no stack frames, capped output.

import path from "node:path";

export const RESULTS_VERSION = 3;

export type Status = "pass" | "fail" | "error";

export interface TestResult {
  name: string;
  status: Status;
  message?: string;
  /** What the candidate printed during this test, capped. */
  output?: string;
}

export interface Results {
  version: typeof RESULTS_VERSION;
  status: Status;
  /** Set when the run as a whole errored (did not load, timed out, exited). */
  message?: string;
  tests: TestResult[];
}

export const MAX_OUTPUT_CHARS = 500;

/** Lines that help nobody: stack frames, hidden-test paths, fast-check's replay parameters and verbosity tip. */
const NOISE = [/^\s+at\s/, /test\/hidden\//, /node_modules\//, /^\s*Hint: Enable verbose mode/, /^\s*\{ seed: -?\d+, path: /];
export const MAX_MESSAGE_LINES = 25;

export function capOutput(text: string, max = MAX_OUTPUT_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n… output cut after ${max} characters (${text.length - max} more)`;
}

/**
 * Keeps what helps the learner and nothing that leaks the grader: no stack
 * frames, no absolute paths (the candidate becomes its display name, the
 * course folder `.`), no hidden-test source.
 */
export function scrubMessage(message: string, paths: { candidate?: string; candidateName?: string; root: string }): string {
  let text = message;
  if (paths.candidate) {
    const name = paths.candidateName ?? "challenge.ts";
    text = text.split(paths.candidate).join(name);
    text = text.split(path.relative(paths.root, paths.candidate)).join(name);
  }
  text = text.split(paths.root.replace(/\/$/, "")).join(".");
  const lines = text
    .replace(/\u001b\[[0-9;]*m/g, "")
    .split("\n")
    .filter((line) => !NOISE.some((pattern) => pattern.test(line)));
  const kept = lines.slice(0, MAX_MESSAGE_LINES);
  if (lines.length > kept.length) kept.push(`… ${lines.length - kept.length} more line(s)`);
  return kept.join("\n").trim();
}

/** Overall status from the tests: error wins, then fail; zero tests is a failure with a reason. */
export function summarise(tests: TestResult[], runError?: string): Results {
  if (runError !== undefined) return { version: RESULTS_VERSION, status: "error", message: runError, tests };
  if (tests.length === 0) {
    return { version: RESULTS_VERSION, status: "error", message: "No hidden test ran: the test file did not load any tests.", tests };
  }
  const status: Status = tests.some((t) => t.status === "error") ? "error" : tests.some((t) => t.status === "fail") ? "fail" : "pass";
  return { version: RESULTS_VERSION, status, tests };
}
