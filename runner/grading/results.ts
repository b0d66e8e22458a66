// Grading results in Exercism's results.json (the test runner interface,
// exercism/docs building/tooling/test-runners/interface.md), plus the pure
// helpers that make them safe to show: scrubbed paths, no stack frames,
// capped output. `test_code` is left out: it would give the hidden tests away.
//
// The spec, as followed here:
// - `version` 2 ("can output individual test information"); 3 only when a
//   test carries a `task_id`, which is what version 3 adds;
// - `status` `error` only when no hidden test ran to an end (it did not load,
//   timed out, its process died); otherwise `fail` if any test has status
//   `fail` or `error`, else `pass`;
// - the top-level `message` only when the status is `error` (then required),
//   at most 65,535 characters; a test's `message` whenever it did not pass;
// - a test's `output` at most 500 characters, the truncation notice included.

import path from "node:path";

/** Version 2 of the interface; see resultsVersion(). */
export const RESULTS_VERSION = 2;

export type Status = "pass" | "fail" | "error";

/**
 * Why no test ran, for a machine: the gradebook's error reason. Not a field
 * of results.json (exercismResults() leaves it out).
 */
export type ErrorKind = "timeout" | "crash" | "syntax" | "memory" | "output-cap" | "tampered" | "other";
export const ERROR_KINDS: readonly ErrorKind[] = ["timeout", "crash", "syntax", "memory", "output-cap", "tampered", "other"];

/** Why a grading run produced no test result: the kind, and the message a person reads. */
export interface RunError {
  kind: ErrorKind;
  message: string;
}

export interface TestResult {
  name: string;
  status: Status;
  message?: string;
  /** What the candidate printed during this test, capped. */
  output?: string;
  /** Version 3: the task this test belongs to (none of the course's tests has one yet). */
  task_id?: number;
}

export interface Results {
  version: 2 | 3;
  status: Status;
  /** Only when status is "error": why no test ran (did not load, timed out, exited). */
  message?: string;
  tests: TestResult[];
  /** Only when status is "error": the machine-readable reason. Not written to results.json. */
  errorKind?: ErrorKind;
}

export const MAX_OUTPUT_CHARS = 500;
/** The spec's own wording for a cut output. */
export const OUTPUT_TRUNCATED = "Output was truncated. Please limit to 500 chars";
export const MAX_TOP_MESSAGE_CHARS = 65_535;

/** Lines that help nobody: stack frames, hidden-test paths, fast-check's replay parameters and verbosity tip. */
const NOISE = [/^\s+at\s/, /test\/hidden\//, /node_modules\//, /^\s*Hint: Enable verbose mode/, /^\s*\{ seed: -?\d+, path: /];
export const MAX_MESSAGE_LINES = 25;

/** The first `units` UTF-16 units of `text`, never ending inside a surrogate pair. */
function head(text: string, units: number): string {
  const cut = text.slice(0, Math.max(0, units));
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/**
 * At most `max` characters, the notice included: counted in UTF-16 units, so
 * the text is also at most `max` code points, however a reader counts.
 */
export function capOutput(text: string, max = MAX_OUTPUT_CHARS): string {
  if (text.length <= max) return text;
  const notice = `\n… ${OUTPUT_TRUNCATED}`;
  return `${head(text, max - notice.length)}${notice}`;
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

/** 3 when some test is linked to a task (what version 3 adds), else 2. */
export const resultsVersion = (tests: TestResult[]): 2 | 3 => (tests.some((test) => test.task_id !== undefined) ? 3 : 2);

/** A result in which no test ran to an end. */
export function errorResults(error: RunError, tests: TestResult[] = []): Results {
  const message = error.message.length > MAX_TOP_MESSAGE_CHARS ? `${head(error.message, MAX_TOP_MESSAGE_CHARS - 40)}\n… (message cut)` : error.message;
  return { version: resultsVersion(tests), status: "error", message, tests, errorKind: error.kind };
}

/** Overall status from the tests: `fail` if any did not pass; zero tests is an error with a reason. */
export function summarise(tests: TestResult[], runError?: RunError): Results {
  if (runError !== undefined) return errorResults(runError, tests);
  if (tests.length === 0) return errorResults({ kind: "other", message: "No hidden test ran: the test file did not load any tests." });
  const status: Status = tests.every((t) => t.status === "pass") ? "pass" : tests.every((t) => t.status === "error") ? "error" : "fail";
  if (status === "error") return errorResults({ kind: "crash", message: tests.find((t) => t.message)?.message ?? "Every hidden test errored." }, tests);
  return { version: resultsVersion(tests), status, tests };
}

/**
 * Exactly the fields of results.json, in the spec's order: nothing of ours
 * (errorKind), no top-level message unless the status is `error`, output capped.
 */
export function exercismResults(results: Results): Record<string, unknown> {
  const tests = results.tests.map((test) => ({
    name: test.name,
    status: test.status,
    ...(test.status !== "pass" ? { message: test.message ?? (test.status === "fail" ? "The test failed." : "The test errored.") } : {}),
    ...(test.output ? { output: capOutput(test.output) } : {}),
    ...(test.task_id !== undefined ? { task_id: test.task_id } : {}),
  }));
  const version = resultsVersion(results.tests);
  if (results.status === "error") return { version, status: "error", message: results.message || "The hidden tests did not run.", tests };
  return { version, status: results.status, tests };
}
