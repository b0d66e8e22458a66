// A plain line diff (longest common subsequence) for showing the reference
// solution beside the learner's. Pure.

import type { Style } from "./render.ts";

export function lineDiff(before: string, after: string, style: Style, context = 2): string {
  const a = before.replace(/\n$/, "").split("\n");
  const b = after.replace(/\n$/, "").split("\n");
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
