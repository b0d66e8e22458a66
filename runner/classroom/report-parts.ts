// Pieces of the class report (report.ts): HTML escaping, and the copy flags
// section. Pure.

import type { CopyFlags } from "./copy-flags.ts";

/** Text for HTML content or a quoted attribute; C0 controls (but tab, LF, CR) and DEL removed. */
export const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "");

const percent = (score: number) => `${Math.round(score * 100)}%`;

/** Pairs of alike submissions and submissions alike to the reference solution: for a person to look at, never a grade. */
export function copyFlagsSection(flags: CopyFlags | undefined): string {
  if (!flags) return "";
  const intro = `<p>Submissions at least ${percent(flags.threshold)} alike once names, comments, literals and layout are set aside (${escape(flags.method)}). A flag is for a person to look at, never a grade: alike answers to a small challenge can be honest, and no outcome above changed.${flags.tooSmall ? ` ${flags.tooSmall} submission(s) had too little code of their own to compare.` : ""}</p>`;
  if (flags.pairs.length === 0 && flags.reference.length === 0) return `<section id="copy-flags"><h2>Copy flags</h2>${intro}<p>None.</p></section>`;
  const same = (identical: boolean) => (identical ? " <small>(the same file, byte for byte)</small>" : "");
  const pairs = flags.pairs.map((p) => `<tr><td>${escape(p.challenge)}</td><th scope="row">${escape(p.students[0])}</th><th scope="row">${escape(p.students[1])}</th><td class="num">${percent(p.score)}${same(p.identical)}</td></tr>`);
  const reference = flags.reference.map((r) => `<tr><td>${escape(r.challenge)}</td><th scope="row">${escape(r.student)}</th><td>the reference solution</td><td class="num">${percent(r.score)}${same(r.identical)}</td></tr>`);
  return `<section id="copy-flags"><h2>Copy flags</h2>${intro}
<table class="flags"><thead><tr><th scope="col">challenge</th><th scope="col">submission</th><th scope="col">alike to</th><th scope="col" class="num">similarity</th></tr></thead>
<tbody>${[...pairs, ...reference].join("\n")}</tbody></table></section>`;
}
