// Terminal rendering of lessons and diffs. Pure: it takes a `Style` (chalk, or
// the identity when colour is off) and returns strings.

import type { Lesson } from "../course/catalog.ts";
import type { OutputDiff } from "../experiment/diff.ts";
import { visibleWhitespace } from "../experiment/diff.ts";
import type { Section } from "../course/lesson-file.ts";
import { withoutPredictBlocks } from "../course/predictions.ts";

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  italic(text: string): string;
  underline(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  magenta(text: string): string;
}

const identity = (text: string) => text;
export const plainStyle: Style = {
  bold: identity,
  dim: identity,
  italic: identity,
  underline: identity,
  red: identity,
  green: identity,
  yellow: identity,
  cyan: identity,
  magenta: identity,
};

function inline(text: string, style: Style): string {
  return text
    .replace(/`([^`]+)`/g, (_, code: string) => style.cyan(code))
    .replace(/\*\*([^*]+)\*\*/g, (_, strong: string) => style.bold(strong))
    .replace(/(^|[^*\w])\*([^*\s][^*]*)\*(?!\w)/g, (_, before: string, em: string) => before + style.italic(em))
    .replace(/(^|\W)_([^_\s][^_]*)_(?!\w)/g, (_, before: string, em: string) => before + style.italic(em));
}

/** Renders markdown lines: headings, fenced code, quotes, lists, emphasis. */
export function renderMarkdown(lines: string[], style: Style, width = Infinity): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  /** Indent of the text of the list item being continued, if any. */
  let itemIndent: string | undefined;
  for (const line of lines) {
    if (line.trim() === "") itemIndent = undefined;
    const fenceMatch = /^\s*(```+|~~~+)/.exec(line);
    if (fenceMatch) {
      fence = fence === undefined ? fenceMatch[1] : undefined;
      continue;
    }
    if (fence !== undefined) {
      out.push(style.dim("  │ ") + cut(line, width - 4));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      out.push(style.bold(style.underline(inline(heading[2]!, style))));
      continue;
    }
    const quote = /^>\s?(.*)$/.exec(line);
    if (quote) {
      out.push(style.magenta("▌ ") + style.italic(inline(quote[1]!, style)));
      continue;
    }
    const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
    if (bullet) {
      out.push(`${bullet[1]}  • ${inline(bullet[2]!, style)}`);
      itemIndent = `${bullet[1]}    `;
      continue;
    }
    const numbered = /^(\s*)(\d+[.)])\s+(.*)$/.exec(line);
    if (numbered) {
      out.push(`${numbered[1]}  ${style.bold(numbered[2]!)} ${inline(numbered[3]!, style)}`);
      itemIndent = `${numbered[1]}  ${" ".repeat(numbered[2]!.length + 1)}`;
      continue;
    }
    // A wrapped line of a list item lines up under the item's text.
    out.push(itemIndent !== undefined ? itemIndent + inline(line.trim(), style) : inline(line, style));
  }
  return out;
}

/**
 * A code line longer than the screen is cut with "…" rather than wrapped
 * through the `│` gutter (the file itself is one `npx tsx`/editor away).
 */
export function cut(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, Math.max(1, width - 1)).join("")}…`;
}

function codeBlock(code: string, style: Style, width: number): string[] {
  return code.replace(/\n$/, "").split("\n").map((line) => style.dim("  │ ") + cut(line, width - 4));
}

/**
 * The lesson as the learner reads it: the experiment's source under Experiment, no Hints (those
 * come one at a time), no Expected Output and no predict blocks (they give the answers away).
 */
export function renderLesson(lesson: Lesson, experimentSource: string | undefined, style: Style, width = Infinity): string {
  const { meta } = lesson;
  const out: string[] = [
    style.bold(`${meta.title}`) + style.dim(`  (${meta.id} · phase ${meta.phase}: ${meta.phaseTitle} · ${meta.difficulty} · ~${meta.estimatedMinutes} min)`),
    "",
  ];
  const shown = (section: Section) => section.title !== "Hints" && section.title !== "Expected Output";
  for (const section of lesson.sections.filter(shown)) {
    out.push(style.bold(style.underline(section.title)), ...renderMarkdown(trimBlank(withoutPredictBlocks(section.lines)), style, width));
    if (section.title === "Experiment" && experimentSource !== undefined) {
      out.push("", ...codeBlock(experimentSource, style, width));
    }
    out.push("");
  }
  return out.join("\n");
}

function trimBlank(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === "") start++;
  while (end > start && lines[end - 1]!.trim() === "") end--;
  return lines.slice(start, end);
}

/** A unified-style diff: "  " matched, "- " expected but missing, "+ " printed but not expected, "~ " absorbed by `...`. */
export function renderDiff(diff: OutputDiff, style: Style, maxLines = 80): string {
  const show = diff.showWhitespace ? visibleWhitespace : (text: string) => text;
  const rendered = diff.lines.map((line) => {
    switch (line.kind) {
      case "same":
        return style.dim(`  ${show(line.text)}`);
      case "gap":
        return style.dim(`~ ${show(line.text)}`);
      case "missing":
        return style.red(`- ${show(line.text)}`);
      case "extra":
        return style.green(`+ ${show(line.text)}`);
    }
  });
  // Keep the neighbourhood of the first difference when the diff is long.
  const firstBad = diff.lines.findIndex((line) => line.kind === "missing" || line.kind === "extra");
  const start = rendered.length > maxLines ? Math.max(0, firstBad - 10) : 0;
  const window = rendered.slice(start, start + maxLines);
  const header = [
    style.bold("Output does not match the expected output") + ` (first difference at output line ${diff.firstDivergence})`,
    style.dim(`${style.red("- expected")}  ${style.green("+ printed")}  ~ matched by ...`),
  ];
  if (start > 0) header.push(style.dim(`  … ${start} line(s) above`));
  const footer = start + maxLines < rendered.length ? [style.dim(`  … ${rendered.length - start - maxLines} more line(s)`)] : [];
  const cause = diff.cause ? ["", style.yellow(`Likely cause: ${diff.cause}`)] : [];
  return [...header, ...window, ...footer, ...cause].join("\n");
}
