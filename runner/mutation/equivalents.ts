// Equivalent mutants: changes Stryker makes to a reference solution that no
// correct test can tell apart from it (a `>=` that only ever sees unequal
// numbers, a log message). They are recorded, with why, in
// solutions/<phase>/<NN>-<id>/equivalent-mutants.md, not as Stryker's
// `// Stryker disable` comments: the reference solution is shown to learners
// after they pass, and must read as a solution, not as tooling.
//
// The file is prose plus ```yaml blocks, each a list of entries:
//
//   - mutator: ConditionalExpression
//     original: "attempt < maxAttempts"     # the code Stryker replaced (whitespace-insensitive;
//     replacement: "true"                   #   a trailing … matches by prefix, for long blocks)
//     line: 42                              # optional: only picks among identical mutants
//     why: attempt never reaches maxAttempts here: the loop ends one earlier.
//
// An entry names the code, not the line, so it survives edits elsewhere in the
// file. An entry must say why; one that matches no mutant, or a mutant a test
// kills, is reported, never counted. Pure: text in, entries and matches out.

import { parse } from "yaml";
import type { MutantOutcome } from "./score.ts";

export const EQUIVALENTS_FILE = "equivalent-mutants.md";

export interface EquivalentEntry {
  mutator: string;
  original: string;
  replacement: string;
  line?: number;
  why: string;
}

const ELLIPSIS = "…";

/** Whitespace runs become one space: a reformatted line still matches. */
export function normaliseCode(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** `pattern` as written in an entry matches `code`: equal, or a prefix when it ends with "…". */
export function codeMatches(pattern: string, code: string): boolean {
  const wanted = normaliseCode(pattern);
  const actual = normaliseCode(code);
  if (wanted.endsWith(ELLIPSIS)) return actual.startsWith(wanted.slice(0, -ELLIPSIS.length).trimEnd());
  return wanted === actual;
}

/** Code shortened for one line of output, ending in "…" when cut (so it can be pasted as an entry). */
export function shortCode(code: string, max = 72): string {
  const flat = normaliseCode(code);
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}${ELLIPSIS}`;
}

/** The ```yaml blocks of a markdown file, with the line each starts on. */
function yamlBlocks(markdown: string): Array<{ text: string; line: number }> {
  const blocks: Array<{ text: string; line: number }> = [];
  const lines = markdown.split(/\r?\n/);
  let open: { line: number; body: string[] } | undefined;
  lines.forEach((line, index) => {
    if (open) {
      if (/^\s*```\s*$/.test(line)) {
        blocks.push({ text: open.body.join("\n"), line: open.line });
        open = undefined;
      } else open.body.push(line);
    } else if (/^\s*```\s*ya?ml\b/.test(line)) open = { line: index + 2, body: [] };
  });
  return blocks;
}

/** Reads equivalent-mutants.md; problems name the entry and what to fix. */
export function parseEquivalents(markdown: string): { entries: EquivalentEntry[]; problems: string[] } {
  const entries: EquivalentEntry[] = [];
  const problems: string[] = [];
  const blocks = yamlBlocks(markdown);
  if (blocks.length === 0) return { entries, problems: [`${EQUIVALENTS_FILE} has no \`\`\`yaml block listing the mutants`] };
  for (const block of blocks) {
    let data: unknown;
    try {
      data = parse(block.text);
    } catch (error) {
      problems.push(`${EQUIVALENTS_FILE}, the yaml block at line ${block.line}: ${(error as Error).message.split("\n")[0]}`);
      continue;
    }
    if (data === null || data === undefined) continue;
    if (!Array.isArray(data)) {
      problems.push(`${EQUIVALENTS_FILE}, the yaml block at line ${block.line} should be a list of { mutator, original, replacement, why }`);
      continue;
    }
    data.forEach((item: unknown, index) => {
      const where = `${EQUIVALENTS_FILE}, entry ${index + 1} of the block at line ${block.line}`;
      const { mutator, original, replacement, line, why } = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
      if (typeof mutator !== "string" || mutator === "" || typeof original !== "string" || original === "" || typeof replacement !== "string") {
        problems.push(`${where}: needs \`mutator\`, \`original\` and \`replacement\` strings, as the survivor list prints them`);
        return;
      }
      if (typeof why !== "string" || why.trim() === "") {
        problems.push(`${where} (${mutator} of \`${shortCode(original, 40)}\`): needs \`why\`, the reason no correct test can kill it; not counted without one`);
        return;
      }
      if (line !== undefined && !(typeof line === "number" && Number.isInteger(line) && line > 0)) {
        problems.push(`${where}: \`line\` should be a line number`);
        return;
      }
      entries.push({ mutator, original, replacement, why: why.trim(), ...(typeof line === "number" ? { line } : {}) });
    });
  }
  return { entries, problems };
}

const describe = (entry: EquivalentEntry) => `${entry.mutator} \`${shortCode(entry.original, 40)}\` → \`${shortCode(entry.replacement, 30)}\``;

/**
 * The ids of the mutants the entries record as equivalent. Problems: an entry
 * matching no mutant (the code changed: remove or update it), several in
 * different places (add `line`), or a mutant a test kills (not equivalent).
 */
export function matchEquivalents(entries: readonly EquivalentEntry[], mutants: readonly MutantOutcome[]): { ids: Set<string>; problems: string[] } {
  const ids = new Set<string>();
  const problems: string[] = [];
  for (const entry of entries) {
    const same = mutants.filter(
      (mutant) => mutant.mutator === entry.mutator && codeMatches(entry.original, mutant.original) && codeMatches(entry.replacement, mutant.replacement),
    );
    if (same.length === 0) {
      problems.push(`${EQUIVALENTS_FILE}: no mutant matches ${describe(entry)}${entry.line ? ` (line ${entry.line})` : ""}: the code changed? Update or remove the entry`);
      continue;
    }
    const lines = [...new Set(same.map((mutant) => mutant.start.line))];
    let chosen = same;
    if (lines.length > 1) {
      chosen = entry.line === undefined ? [] : same.filter((mutant) => mutant.start.line === entry.line);
      if (chosen.length === 0) {
        problems.push(`${EQUIVALENTS_FILE}: ${describe(entry)} matches mutants on lines ${lines.join(", ")}: add \`line:\` to say which one`);
        continue;
      }
    }
    for (const mutant of chosen) {
      if (mutant.status === "Killed" || mutant.status === "Timeout") {
        problems.push(`${EQUIVALENTS_FILE}: ${describe(entry)} (line ${mutant.start.line}) is recorded as equivalent, but a test kills it${mutant.reason ? ` ("${shortCode(mutant.reason, 60)}")` : ""}: remove the entry`);
      } else ids.add(mutant.id);
    }
  }
  return { ids, problems };
}
