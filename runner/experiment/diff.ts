// Explains a mismatch: aligns expected lines (with their `...` gaps) against
// the actual output, finds the first line that diverges and, where it can,
// names the cause in the learner's terms. Pure: no I/O, no colours.

import { ELLIPSIS, matchLine, matchOutput, normalizeBlocks, type ExpectedBlock } from "./match.ts";

export type DiffLine =
  | { kind: "same"; text: string; actualLine: number }
  | { kind: "gap"; text: string; actualLine: number }
  | { kind: "missing"; text: string }
  | { kind: "extra"; text: string; actualLine: number };

export interface OutputDiff {
  lines: DiffLine[];
  /** 1-based line of the actual output where it first departs from the expected. */
  firstDivergence: number;
  /** A recognised cause, in one sentence, or undefined. */
  cause?: string;
  /** Whitespace is the only difference: render spaces and tabs visibly. */
  showWhitespace: boolean;
}

/** Past this many cells the alignment would be slow; the diff then covers the head of the output. */
const MAX_CELLS = 4_000_000;

function flatten(blocks: ExpectedBlock[]): string[] {
  return normalizeBlocks(blocks).flatMap((block) => block.lines);
}

/** Minimum-edit alignment where `...` absorbs actual lines for free and a match costs nothing. */
function align(expected: string[], actual: string[]): DiffLine[] {
  const n = expected.length;
  const m = actual.length;
  const width = m + 1;
  const cost = new Uint32Array((n + 1) * width);
  const at = (i: number, j: number) => i * width + j;
  for (let i = n; i >= 0; i--) {
    for (let j = m; j >= 0; j--) {
      if (i === n) {
        cost[at(i, j)] = m - j;
        continue;
      }
      const pattern = expected[i]!;
      if (pattern.trim() === ELLIPSIS) {
        cost[at(i, j)] = j < m ? Math.min(cost[at(i + 1, j)]!, cost[at(i, j + 1)]!) : cost[at(i + 1, j)]!;
        continue;
      }
      let best = 1 + cost[at(i + 1, j)]!;
      if (j < m) {
        best = Math.min(best, 1 + cost[at(i, j + 1)]!);
        if (matchLine(pattern, actual[j]!)) best = Math.min(best, cost[at(i + 1, j + 1)]!);
      }
      cost[at(i, j)] = best;
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    const here = cost[at(i, j)]!;
    const pattern = expected[i];
    if (i < n && pattern!.trim() === ELLIPSIS) {
      if (j < m && cost[at(i, j + 1)] === here) {
        lines.push({ kind: "gap", text: actual[j]!, actualLine: j + 1 });
        j++;
      } else i++;
      continue;
    }
    if (i < n && j < m && matchLine(pattern!, actual[j]!) && cost[at(i + 1, j + 1)] === here) {
      lines.push({ kind: "same", text: actual[j]!, actualLine: j + 1 });
      i++;
      j++;
    } else if (i < n && cost[at(i + 1, j)]! + 1 === here) {
      lines.push({ kind: "missing", text: pattern! });
      i++;
    } else {
      lines.push({ kind: "extra", text: actual[j]!, actualLine: j + 1 });
      j++;
    }
  }
  return lines;
}

const collapseWhitespace = (line: string) => line.replace(/\s+/g, " ").trim();
const maskNumbers = (line: string) => line.replace(/\d+(\.\d+)?/g, "#");

function matchesAfter(blocks: ExpectedBlock[], actual: string[], mask: (line: string) => string): boolean {
  const masked = blocks.map((block) => ({ ...block, lines: block.lines.map(mask) }));
  return matchOutput(masked, actual.map(mask));
}

function sameLinesInOtherOrder(expected: string[], actual: string[]): boolean {
  if (expected.some((line) => line.includes(ELLIPSIS)) || expected.length !== actual.length) return false;
  const sorted = (lines: string[]) => [...lines].sort().join("\n");
  return sorted(expected) === sorted(actual);
}

function explain(blocks: ExpectedBlock[], expected: string[], actual: string[], lines: DiffLine[]): { cause?: string; showWhitespace: boolean } {
  if (actual.length === 0) return { cause: "The experiment printed nothing on stdout.", showWhitespace: false };
  if (matchesAfter(blocks, actual, collapseWhitespace)) {
    return { cause: "Only whitespace differs (shown as · for a space and → for a tab).", showWhitespace: true };
  }
  if (matchesAfter(blocks, actual, maskNumbers)) {
    return {
      cause: "Only numbers differ: a duration, timestamp or id that changes between runs? Take time from the FakeClock, or write `...` where the value may vary.",
      showWhitespace: false,
    };
  }
  if (sameLinesInOtherOrder(expected, actual)) {
    return {
      cause: "The same lines, in another order. If the order does not matter, fence the block as ```text unordered; otherwise make the order deterministic.",
      showWhitespace: false,
    };
  }
  const extra = lines.filter((line) => line.kind === "extra");
  const missing = lines.filter((line) => line.kind === "missing");
  if (extra.length > 0 && missing.length === 0) {
    return {
      cause: `${extra.length} extra line(s), the first at output line ${(extra[0] as { actualLine: number }).actualLine}: debug output left in?`,
      showWhitespace: false,
    };
  }
  if (missing.length > 0 && extra.length === 0) {
    return { cause: `${missing.length} expected line(s) never printed: did the experiment stop early?`, showWhitespace: false };
  }
  return { showWhitespace: false };
}

export function diffOutput(blocks: ExpectedBlock[], actual: string[]): OutputDiff {
  const expected = flatten(blocks);
  const maxActual = Math.max(1, Math.floor(MAX_CELLS / (expected.length + 1)) - 1);
  const shown = actual.length > maxActual ? actual.slice(0, maxActual) : actual;
  const lines = align(expected, shown);
  const firstBad = lines.findIndex((line) => line.kind === "missing" || line.kind === "extra");
  // A missing line has no output line of its own: it diverges where the next output line would be.
  const firstDivergence =
    firstBad === -1
      ? shown.length + 1
      : lines.slice(0, firstBad).filter((line) => line.kind !== "missing").length + 1;
  return { lines, firstDivergence, ...explain(blocks, expected, actual, lines) };
}

/** Makes spaces and tabs visible, for whitespace-only differences. */
export function visibleWhitespace(line: string): string {
  return line.replace(/ /g, "·").replace(/\t/g, "→");
}
