// The line that marks a file as hidden-test or solution content: line 1 of
// every file under solutions/<lesson>/ (the reference, alternatives/, wrong/,
// mutants.yaml) and of every hidden test and its helpers under
// test/hidden/<lesson>/. A student edition must contain none of them, and
// `release` proves it the simple way: it greps what it wrote for the marker.
// A file copied, pasted or renamed into a shipped folder carries the marker
// with it; verify reports a hidden or solution file that lacks it.
//
// The marker is a comment (`//`, or `#` in YAML), so it changes no program.
// This module (which ships in the edition's runner) never spells the token
// out in one piece, so the edition's own runner does not match its own grep.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** The token release greps for: "queuecraft" ":" "hidden-or-solution". */
export const MARKER_TOKEN = ["queuecraft", "hidden-or-solution"].join(":");
/** Line 1 of a marked TypeScript file. */
export const MARKER_LINE = `// ${MARKER_TOKEN} — never in a student edition`;
/** Line 1 of a marked YAML file (mutants.yaml). */
export const MARKER_LINE_YAML = `# ${MARKER_TOKEN} — never in a student edition`;

/** The text without its marker line, if it starts with one (a wrong answer's first comment says what it gets wrong). */
export function withoutMarker(text: string): string {
  const end = text.indexOf("\n");
  const first = end === -1 ? text : text.slice(0, end);
  return first.includes(MARKER_TOKEN) ? text.slice(end === -1 ? text.length : end + 1) : text;
}

/** Files that must carry the marker: .ts and .yaml files, found recursively. */
function markable(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return markable(file);
    return entry.isFile() && /\.(ts|ya?ml)$/.test(entry.name) ? [file] : [];
  });
}

/** The hidden-test and solution files of a lesson folder ("1-foundations/01-request-cycle"). */
export function hiddenOrSolutionFiles(root: string, folder: string): string[] {
  return [...markable(path.join(root, "solutions", folder)), ...markable(path.join(root, "test", "hidden", folder))].sort();
}

/** Is line 1 of `text` the marker? */
export function isMarked(text: string): boolean {
  const end = text.indexOf("\n");
  return (end === -1 ? text : text.slice(0, end)).includes(MARKER_TOKEN);
}

/** A lesson's hidden-test and solution files whose first line is not the marker, relative to the root. */
export function unmarkedFiles(root: string, folder: string): string[] {
  return hiddenOrSolutionFiles(root, folder)
    .filter((file) => !isMarked(readFileSync(file, "utf8")))
    .map((file) => path.relative(root, file).split(path.sep).join("/"));
}

/** The marker line for a file, by its extension. */
export const markerLineFor = (file: string) => (/\.ya?ml$/.test(file) ? MARKER_LINE_YAML : MARKER_LINE);
