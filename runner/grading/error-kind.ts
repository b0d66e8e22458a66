// Why a grading run gave no test result, as a machine-readable kind beside the
// message a person reads. Decided from what grading already knows: the
// sandbox's own verdict (timed out, flooded), how the process ended and its
// last words, and the errors vitest reported for a test file that did not
// load. Pure.

import type { ErrorKind, RunError } from "./results.ts";

/** V8 and Node's words for a heap that ran out (a process, or a vitest worker thread). */
const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|Allocation failed|ERR_WORKER_OUT_OF_MEMORY|reaching memory limit|RangeError: Array buffer allocation failed/i;
/** esbuild's, vite's and Node's words for source that does not parse (not JSON.parse's, which is a runtime error). */
const SYNTAX = /Transform failed|\bPARSE_ERROR\b|Failed to parse source|SyntaxError: (?!.*JSON)(Unexpected|Invalid or unexpected|missing|Unterminated)/;

/** The kind of a process that ended before its tests did. */
export function processEndKind(outcome: { timedOut: boolean; flooded: boolean; stderr: string }): ErrorKind {
  if (outcome.timedOut) return "timeout";
  if (outcome.flooded) return "output-cap";
  if (OUT_OF_MEMORY.test(outcome.stderr)) return "memory";
  return "crash";
}

/** The kind of a test file that could not be loaded, or threw outside any test. */
export function loadErrorKind(errors: string[]): ErrorKind {
  const text = errors.join("\n");
  if (OUT_OF_MEMORY.test(text)) return "memory";
  if (SYNTAX.test(text)) return "syntax";
  return "crash";
}

/** A run that died: what a person reads and its kind (see grade.ts). */
export function processEndError(outcome: { timedOut: boolean; flooded: boolean; exitCode?: number; signal?: string; stderr: string }, timeoutMs: number): RunError {
  const kind = processEndKind(outcome);
  if (kind === "timeout") return { kind, message: `Timed out after ${Math.round(timeoutMs / 1000)} s: an infinite loop, or a promise that never settles?` };
  if (kind === "output-cap") return { kind, message: "Stopped: the challenge printed more than 1 MB of output." };
  const tail = outcome.stderr.trim().split("\n").slice(-3).join("\n");
  const how = outcome.signal ?? `exit code ${outcome.exitCode}`;
  const why = kind === "memory" ? "the challenge ran out of memory" : "did the challenge call process.exit() or run out of memory?";
  return { kind, message: `The grading process ended unexpectedly (${how}): ${why}${tail ? `\n${tail}` : ""}` };
}

/**
 * A dead letter's kind, from the reason the distributed workers gave up: a job
 * whose source does not match its digest, or whose data is malformed, was
 * changed on its way (tampered); a worker that kept dying crashed.
 */
export function deadLetterKind(reason: string): ErrorKind {
  if (/does not match its sha256|malformed job data/.test(reason)) return "tampered";
  if (/worker died|started \d+ times/.test(reason)) return "crash";
  return "other";
}
