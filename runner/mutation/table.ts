// What the mutation command prints: the per-challenge table (aligned markdown,
// so the terminal and the README show the same thing) and the survivor lines a
// test author acts on, in the form an equivalent-mutants.md entry takes.
// Pure: rows in, text out.

import { shortCode } from "./equivalents.ts";
import { meetsThreshold, type MutantOutcome, type Tally } from "./score.ts";

export interface ChallengeRow {
  id: string;
  /** Undefined when the challenge could not be run. */
  tally?: Tally;
  score?: number;
  seconds?: number;
  /** Why it was not run or not scored. */
  error?: string;
}

export function formatScore(score: number | undefined): string {
  // Floored, so 89.96 % never shows as a passing 90.0 %.
  return score === undefined ? "n/a" : `${(Math.floor(score * 10) / 10).toFixed(1)} %`;
}

function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined) return "";
  return seconds < 60 ? `${Math.round(seconds)} s` : `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, "0")} s`;
}

/** Does this row pass: it ran, and scores at least `threshold` (or has nothing left to kill)? */
export function rowPasses(row: ChallengeRow, threshold: number): boolean {
  return row.error === undefined && row.tally !== undefined && meetsThreshold(row.score, threshold);
}

const HEADERS = ["challenge", "killed", "survived", "timeout", "no coverage", "equivalent", "errors", "score", "time"] as const;
const RIGHT_ALIGNED = new Set<string>(HEADERS.slice(1));

/**
 * The table, one row per challenge, then the total. A row below `threshold`
 * is marked ✗. `errors` are mutants Stryker could not run (compile or runtime
 * errors): not counted, as in Stryker's own score.
 */
export function renderTable(rows: readonly ChallengeRow[], threshold: number): string {
  const body = rows.map((row) => {
    const { tally } = row;
    if (!tally) return [row.id, "", "", "", "", "", "", `✗ ${row.error ?? "not run"}`, formatSeconds(row.seconds)];
    const mark = rowPasses(row, threshold) ? "" : "✗ ";
    return [row.id, tally.killed, tally.survived, tally.timeout, tally.noCoverage, tally.equivalent, tally.invalid, `${mark}${formatScore(row.score)}`, formatSeconds(row.seconds)].map(String);
  });
  const scored = rows.filter((row) => row.tally);
  if (scored.length > 1) {
    const sum = (key: keyof Tally) => scored.reduce((total, row) => total + row.tally![key], 0);
    const detected = sum("killed") + sum("timeout");
    const counted = detected + sum("survived") + sum("noCoverage");
    const seconds = rows.reduce((total, row) => total + (row.seconds ?? 0), 0);
    body.push(
      [`all ${scored.length}`, sum("killed"), sum("survived"), sum("timeout"), sum("noCoverage"), sum("equivalent"), sum("invalid"), formatScore(counted ? (detected / counted) * 100 : undefined), formatSeconds(seconds)].map(String),
    );
  }
  const widths = HEADERS.map((header, index) => Math.max(header.length, ...body.map((cells) => cells[index]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, index) => (RIGHT_ALIGNED.has(HEADERS[index]!) ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!))).join(" | ")} |`;
  const rule = `| ${widths.map((width, index) => (RIGHT_ALIGNED.has(HEADERS[index]!) ? `${"-".repeat(width - 1)}:` : "-".repeat(width))).join(" | ")} |`;
  return [line(HEADERS), rule, ...body.map(line)].join("\n");
}

/**
 * One line per mutant no test killed:
 *   solutions/…/challenge.ts:19:11 ConditionalExpression `sink.destroyed` → `false` (survived)
 * The code is shortened with "…", which an equivalent-mutants.md entry accepts as a prefix.
 */
export function survivorLine(mutant: MutantOutcome): string {
  const state = mutant.status === "NoCoverage" ? "no coverage" : "survived";
  return `${mutant.file}:${mutant.start.line}:${mutant.start.column} ${mutant.mutator} \`${shortCode(mutant.original)}\` → \`${shortCode(mutant.replacement, 48)}\` (${state})`;
}
