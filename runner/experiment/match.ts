// Expected-output matching, in the spirit of Go example tests and doctest's
// ELLIPSIS: `...` alone on a line matches any run of lines (none included),
// `...` inside a line matches any text on that line, and a block can be
// unordered. Pure: strings in, verdict out.

export interface ExpectedBlock {
  lines: string[];
  unordered: boolean;
  /** 1-based line in the lesson file of the block's first line. */
  line: number;
}

export const ELLIPSIS = "...";

/** CRLF/CR to LF, trailing whitespace off every line, trailing blank lines dropped. */
export function normalizeLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n").map((line) => line.replace(/\s+$/, ""));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Does one expected line (possibly with inline `...`) match one actual line? */
export function matchLine(pattern: string, actual: string): boolean {
  if (!pattern.includes(ELLIPSIS)) return pattern === actual;
  const parts = pattern.split(ELLIPSIS);
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (first.length + last.length > actual.length) return false;
  if (!actual.startsWith(first) || !actual.endsWith(last)) return false;
  // Middle parts, leftmost first: greedy leftmost placement is optimal for `*`-style globs.
  let at = first.length;
  const end = actual.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = actual.indexOf(part, at);
    if (found === -1 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/** One step of a segment: a line pattern, or an unordered block consuming its lines in any order. */
type Item = { kind: "line"; pattern: string } | { kind: "unordered"; patterns: string[] };
type Segment = Item[];

function itemWidth(item: Item): number {
  return item.kind === "line" ? 1 : item.patterns.length;
}

function segmentWidth(segment: Segment): number {
  return segment.reduce((sum, item) => sum + itemWidth(item), 0);
}

/** Matches an unordered block: each actual line takes the first unused pattern that fits it. */
function matchUnordered(patterns: string[], actual: string[], at: number): boolean {
  const used = new Array<boolean>(patterns.length).fill(false);
  for (let k = 0; k < patterns.length; k++) {
    const line = actual[at + k]!;
    const index = patterns.findIndex((pattern, p) => !used[p] && matchLine(pattern, line));
    if (index === -1) return false;
    used[index] = true;
  }
  return true;
}

function segmentMatchesAt(segment: Segment, actual: string[], at: number): boolean {
  let position = at;
  for (const item of segment) {
    if (item.kind === "line") {
      if (!matchLine(item.pattern, actual[position]!)) return false;
    } else if (!matchUnordered(item.patterns, actual, position)) {
      return false;
    }
    position += itemWidth(item);
  }
  return true;
}

/**
 * Leftmost position >= from where the segment matches, or -1. A segment of
 * literal lines is found with Knuth–Morris–Pratt, so long outputs full of
 * near-misses stay linear; segments with patterns fall back to scanning.
 */
function findSegment(segment: Segment, actual: string[], from: number): number {
  const width = segmentWidth(segment);
  const literal = segment.every((item) => item.kind === "line" && !item.pattern.includes(ELLIPSIS));
  if (!literal) {
    for (let at = from; at + width <= actual.length; at++) if (segmentMatchesAt(segment, actual, at)) return at;
    return -1;
  }
  const needle = segment.map((item) => (item as { pattern: string }).pattern);
  const failure = new Array<number>(needle.length).fill(0);
  for (let i = 1, k = 0; i < needle.length; i++) {
    while (k > 0 && needle[i] !== needle[k]) k = failure[k - 1]!;
    if (needle[i] === needle[k]) k++;
    failure[i] = k;
  }
  for (let i = from, k = 0; i < actual.length; i++) {
    while (k > 0 && actual[i] !== needle[k]) k = failure[k - 1]!;
    if (actual[i] === needle[k]) k++;
    if (k === needle.length) return i - needle.length + 1;
  }
  return -1;
}

/** Splits the expected blocks into segments separated by `...` lines. */
function toSegments(blocks: ExpectedBlock[]): { segments: Segment[]; leadingGap: boolean; trailingGap: boolean } {
  const segments: Segment[] = [[]];
  let leadingGap = false;
  let trailingGap = false;
  let seenAnything = false;
  for (const block of blocks) {
    if (block.unordered) {
      if (block.lines.length > 0) segments[segments.length - 1]!.push({ kind: "unordered", patterns: block.lines });
      seenAnything ||= block.lines.length > 0;
      trailingGap = trailingGap && block.lines.length === 0;
      continue;
    }
    for (const line of block.lines) {
      if (line.trim() === ELLIPSIS) {
        if (!seenAnything) leadingGap = true;
        if (segments[segments.length - 1]!.length > 0) segments.push([]);
        trailingGap = true;
      } else {
        segments[segments.length - 1]!.push({ kind: "line", pattern: line });
        trailingGap = false;
      }
      seenAnything = true;
    }
  }
  return { segments: segments.filter((segment) => segment.length > 0), leadingGap, trailingGap };
}

/** Expected lines of every block, normalised the same way as the actual output. */
export function normalizeBlocks(blocks: ExpectedBlock[]): ExpectedBlock[] {
  return blocks.map((block) => ({ ...block, lines: normalizeLines(block.lines.join("\n")) }));
}

/** True when the actual output (already normalised) satisfies the expected blocks. */
export function matchOutput(blocks: ExpectedBlock[], actual: string[]): boolean {
  const { segments, leadingGap, trailingGap } = toSegments(normalizeBlocks(blocks));
  if (segments.length === 0) return leadingGap || trailingGap || actual.length === 0;
  let position = 0;
  for (let s = 0; s < segments.length; s++) {
    const segment = segments[s]!;
    const width = segmentWidth(segment);
    const isFirst = s === 0;
    const isLast = s === segments.length - 1;
    if (isLast && !trailingGap) {
      // Anchored at the end: the only place it may stand.
      const at = actual.length - width;
      if (at < position || (isFirst && !leadingGap && at !== 0)) return false;
      return segmentMatchesAt(segment, actual, at);
    }
    if (isFirst && !leadingGap) {
      if (width > actual.length || !segmentMatchesAt(segment, actual, 0)) return false;
      position = width;
      continue;
    }
    const at = findSegment(segment, actual, position);
    if (at === -1) return false;
    position = at + width;
  }
  return true;
}
