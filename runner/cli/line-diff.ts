// A plain line diff (longest common subsequence) for showing the reference
// solution beside the learner's: the idea, not 100 lines. Comment-only lines
// and blank lines are left out first (both files carry the stub's doc
// comments), then long stretches both share are elided. Pure.

import type { Style } from "./render.ts";

/** The code of a TypeScript source without whole-line comments (`//`, `/* … *\/`, doc comments) and blank lines. */
export function codeLines(source: string): string[] {
  const kept: string[] = [];
  let inBlock = false;
  for (const line of source.replace(/\r\n/g, "\n").split("\n")) {
    const trimmed = line.trim();
    if (inBlock) {
      if (trimmed.includes("*/")) inBlock = false;
      continue;
    }
    if (trimmed.startsWith("/*")) {
      inBlock = !trimmed.includes("*/", 2);
      continue;
    }
    if (trimmed === "" || trimmed.startsWith("//")) continue;
    kept.push(line);
  }
  return kept;
}

export function lineDiff(before: string, after: string, style: Style, context = 1): string {
  const a = codeLines(before);
  const b = codeLines(after);
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Array<{ kind: " " | "-" | "+"; text: string }> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: " ", text: a[i]! });
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) ops.push({ kind: "+", text: b[j++]! });
    else ops.push({ kind: "-", text: a[i++]! });
  }
  // Show changes with a little context, eliding long unchanged stretches.
  const near = (index: number) => ops.slice(Math.max(0, index - context), index + context + 1).some((op) => op.kind !== " ");
  const out: string[] = [];
  let elided = false;
  ops.forEach((op, index) => {
    if (op.kind === " " && !near(index)) {
      if (!elided) out.push(style.dim("  ⋯"));
      elided = true;
      return;
    }
    elided = false;
    out.push(op.kind === "-" ? style.red(`- ${op.text}`) : op.kind === "+" ? style.green(`+ ${op.text}`) : style.dim(`  ${op.text}`));
  });
  return out.join("\n");
}
