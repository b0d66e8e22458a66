// Splits a lesson's markdown into frontmatter, `##` sections and their code
// blocks and list items, keeping 1-based line numbers for every error message.
// Pure: text in, structure out.

export interface Problem {
  file: string;
  line: number;
  message: string;
}

export interface Section {
  title: string;
  /** Line of the `## Title` heading. */
  line: number;
  /** The section's lines, without the heading. */
  lines: string[];
}

export interface CodeBlock {
  /** The fence's info string, e.g. "text unordered". */
  info: string;
  code: string;
  /** Line of the first line inside the fence. */
  line: number;
}

export interface SplitLesson {
  frontmatter?: { text: string; line: number };
  /** The `# Title` heading, if any. */
  heading?: string;
  sections: Section[];
}

const FENCE = /^(```+|~~~+)(.*)$/;

export function splitLesson(text: string): SplitLesson {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let start = 0;
  let frontmatter: SplitLesson["frontmatter"];
  if (lines[0]?.trim() === "---") {
    const end = lines.findIndex((line, index) => index > 0 && line.trim() === "---");
    if (end !== -1) {
      frontmatter = { text: lines.slice(1, end).join("\n"), line: 2 };
      start = end + 1;
    }
  }
  const sections: Section[] = [];
  let heading: string | undefined;
  let fence: string | undefined;
  for (let index = start; index < lines.length; index++) {
    const line = lines[index]!;
    const fenceMatch = FENCE.exec(line.trim());
    if (fenceMatch) {
      const marker = fenceMatch[1]!;
      if (fence === undefined) fence = marker;
      else if (marker.startsWith(fence) && fenceMatch[2]!.trim() === "") fence = undefined;
    }
    if (fence === undefined && !fenceMatch) {
      const sectionHeading = /^##\s+(.+?)\s*#*\s*$/.exec(line);
      if (sectionHeading) {
        sections.push({ title: sectionHeading[1]!, line: index + 1, lines: [] });
        continue;
      }
      const title = /^#\s+(.+?)\s*$/.exec(line);
      if (title && heading === undefined && sections.length === 0) {
        heading = title[1];
        continue;
      }
    }
    sections.at(-1)?.lines.push(line);
  }
  return { frontmatter, heading, sections };
}

/** The fenced code blocks of a section, in order. */
export function codeBlocks(section: Section): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let open: { marker: string; info: string; start: number; body: string[] } | undefined;
  section.lines.forEach((line, index) => {
    const fenceMatch = FENCE.exec(line.trim());
    if (!open) {
      if (fenceMatch) open = { marker: fenceMatch[1]!, info: fenceMatch[2]!.trim(), start: index, body: [] };
      return;
    }
    if (fenceMatch && fenceMatch[1]!.startsWith(open.marker) && fenceMatch[2]!.trim() === "") {
      blocks.push({ info: open.info, code: open.body.join("\n"), line: section.line + open.start + 2 });
      open = undefined;
      return;
    }
    open.body.push(line);
  });
  return blocks;
}

/** Items of the section's numbered (or bulleted) list; an item runs until the next item or a blank line followed by text. */
export function listItems(section: Section): string[] {
  const items: string[] = [];
  let current: string[] | undefined;
  for (const line of section.lines) {
    const item = /^\s{0,3}(?:\d+[.)]|[-*+])\s+(.*)$/.exec(line);
    if (item) {
      if (current) items.push(current.join(" ").trim());
      current = [item[1]!];
    } else if (current && line.trim() !== "") {
      current.push(line.trim());
    } else if (current && line.trim() === "") {
      items.push(current.join(" ").trim());
      current = undefined;
    }
  }
  if (current) items.push(current.join(" ").trim());
  return items;
}

/** The line number of the first line of a section's text that matches, or the heading's line. */
export function lineOf(section: Section, predicate: (line: string) => boolean): number {
  const index = section.lines.findIndex(predicate);
  return index === -1 ? section.line : section.line + index + 1;
}
