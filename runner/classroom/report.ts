// The class report: one self-contained HTML page (inline CSS and script, no
// network: its Content-Security-Policy forbids any) with the class ×
// challenge matrix as a heat map, pass rates, the challenges most students
// fail with their most common failing test, copy flags, dead letters, and a
// drill-down per student. Pure: gradebook data in, HTML text out. Everything from
// submissions (names, messages, output) is escaped: it is student-controlled.

import { cellOf as outcomeOf, type StudentResults } from "./outcome.ts";
import { copyFlagsSection, escape } from "./report-parts.ts";
import { cellOf, challengeStats, type Cell, type ChallengeStats, type ReportInput } from "./stats.ts";

const SYMBOL: Record<Cell, string> = { pass: "✓", fail: "✗", error: "!", missing: "–", stub: "○" };
const WORD: Record<Cell, string> = { pass: "passed", fail: "failed", error: "error", missing: "not submitted", stub: "not attempted" };
/** A cell in words, an error with its reason: "error: timeout". */
function wordOf(student: StudentResults, id: string): string {
  const cell = outcomeOf(student, id);
  return cell.outcome === "error" ? `error: ${cell.reason}` : cell.outcome === "not attempted" ? "not attempted (the stub, unchanged)" : cell.outcome;
}
const percent = (part: number, whole: number) => (whole === 0 ? "–" : `${Math.round((part / whole) * 100)}%`);

function summary(input: ReportInput, stats: ChallengeStats[]): string {
  const students = input.book.students.length;
  const cells = students * input.book.challenges.length;
  const passed = stats.reduce((sum, s) => sum + s.pass, 0);
  const allPassed = input.book.students.filter((row) => row.passed === row.total && row.total > 0).length;
  const card = (value: string, label: string, kind = "") => `<div class="card ${kind}"><strong>${escape(value)}</strong><span>${escape(label)}</span></div>`;
  return `<section class="cards" aria-label="Summary">
${card(String(students), "students")}${card(String(input.book.challenges.length), "challenges")}${card(percent(passed, cells), "of all challenges passed")}${card(`${allPassed}/${students}`, "students passed everything")}${card(String(stats.reduce((sum, s) => sum + s.error, 0)), "errors (timeout, crash, syntax…)", "error")}${card(String(stats.reduce((sum, s) => sum + s.missing, 0)), "not submitted", "missing")}${card(String(stats.reduce((sum, s) => sum + s.stub, 0)), "not attempted (stub unchanged)", "missing")}${input.copyFlags ? card(String(input.copyFlags.pairs.length + input.copyFlags.reference.length), "copy flags to look at", "flag") : ""}${input.deadLetters?.length ? card(String(input.deadLetters.length), "dead letters", "error") : ""}
</section>`;
}

function matrix(input: ReportInput, stats: ChallengeStats[]): string {
  const students = input.book.students.length;
  const head = input.book.challenges.map((id) => `<th scope="col" class="col"><span>${escape(id)}</span></th>`).join("");
  const rows = input.book.students.map((row, s) => {
    const student = input.results[s]!;
    const cells = input.book.challenges
      .map((id, c) => {
        const cell = cellOf(student, id);
        return `<td class="cell ${cell}" data-challenge="${escape(id)}" data-status="${cell}"><a href="#d-${s}-${c}" title="${escape(`${row.student} · ${id}: ${wordOf(student, id)}`)}">${SYMBOL[cell]}</a></td>`;
      })
      .join("");
    return `<tr data-student="${escape(row.student)}" data-passed="${row.passed}"><th scope="row"><a href="#s-${s}">${escape(row.student)}</a></th>${cells}<td class="total">${row.passed}/${row.total}</td></tr>`;
  });
  const rates = stats.map((s) => `<td class="rate" style="--rate:${students ? (s.pass / students).toFixed(3) : 0}">${percent(s.pass, students)}</td>`).join("");
  return `<section id="matrix-section">
<h2>Class × challenge</h2>
<p class="legend">${(["pass", "fail", "error", "missing", "stub"] as Cell[]).map((cell) => `<span class="cell ${cell} key">${SYMBOL[cell]}</span> ${WORD[cell]}`).join(" &nbsp; ")} &nbsp;·&nbsp; a cell opens that student's result <span class="noprint">· <label>sort <select id="sort"><option value="name">by name</option><option value="most">most passed first</option><option value="fewest">fewest passed first</option></select></label></span></p>
<div class="scroll"><table class="matrix" id="matrix">
<thead><tr><th scope="col" class="corner">student</th>${head}<th scope="col" class="col"><span>passed</span></th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
<tfoot><tr><th scope="row">pass rate</th>${rates}<td></td></tr></tfoot>
</table></div>
</section>`;
}

function passRates(input: ReportInput, stats: ChallengeStats[]): string {
  const students = input.book.students.length;
  const rows = stats.map(
    (s) =>
      `<tr><th scope="row">${escape(s.id)}</th><td class="bar"><span style="--rate:${students ? (s.pass / students).toFixed(3) : 0}"></span></td><td class="num">${s.pass}/${students}</td><td class="num">${percent(s.pass, students)}</td><td class="num">${s.fail}</td><td class="num">${s.error}</td><td class="num">${s.missing}</td><td class="num">${s.stub}</td></tr>`,
  );
  return `<section id="rates"><h2>Pass rate per challenge</h2>
<table class="rates"><thead><tr><th scope="col">challenge</th><th scope="col">passed</th><th scope="col" class="num">students</th><th scope="col" class="num">rate</th><th scope="col" class="num">fail</th><th scope="col" class="num">error</th><th scope="col" class="num">not submitted</th><th scope="col" class="num">not attempted</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table></section>`;
}

function struggles(stats: ChallengeStats[]): string {
  const hardest = stats
    .map((s, order) => ({ ...s, order, failing: s.fail + s.error }))
    .filter((s) => s.failing > 0)
    .sort((a, b) => b.failing - a.failing || a.order - b.order)
    .slice(0, 5);
  if (hardest.length === 0) return `<section id="struggles"><h2>Where students struggle</h2><p>Every submission passed.</p></section>`;
  const items = hardest.map((s) => {
    const submitted = s.pass + s.fail + s.error;
    const common = s.commonFailure!;
    return `<li><h3>${escape(s.id)} <small>${s.failing} of ${submitted} who submitted did not pass</small></h3>
${common.ran ? `<p>Most common failing test, for ${common.students} student(s): <strong class="test-name">${escape(common.test)}</strong></p>` : `<p>Most common: <strong class="test-name">no test ran</strong>, for ${common.students} student(s)</p>`}${common.example ? `<pre>${escape(common.example)}</pre>` : ""}</li>`;
  });
  return `<section id="struggles"><h2>Where students struggle</h2><ol class="struggles">${items.join("\n")}</ol></section>`;
}

function deadLetters(input: ReportInput): string {
  const letters = input.deadLetters ?? [];
  if (letters.length === 0) return "";
  const rows = letters.map((l) => `<tr><th scope="row">${escape(l.student)}</th><td>${escape(l.challenge)}</td><td>${l.attempts}</td><td>${escape(l.reason)}</td><td><code>${escape(l.sha256.slice(0, 12))}</code></td></tr>`);
  return `<section id="dead-letters"><h2>Dead letters: submissions that could not be graded</h2>
<p>The grading workers gave up on these after repeated attempts; the rest of the class was graded. Grade one on its own with <code>npm run check</code> to see what happens.</p>
<table class="letters"><thead><tr><th scope="col">student</th><th scope="col">challenge</th><th scope="col">attempts</th><th scope="col">why</th><th scope="col">sha256</th></tr></thead><tbody>${rows.join("\n")}</tbody></table></section>`;
}

function challengeDetail(student: StudentResults, id: string, anchor: string): string {
  const cell = cellOf(student, id);
  const results = student.challenges[id];
  const tests = (results?.tests ?? [])
    .map((test) => {
      const kind = test.status;
      const message = test.message ? `<pre class="message">${escape(test.message)}</pre>` : "";
      const output = test.output ? `<details class="output"><summary>what it printed</summary><pre>${escape(test.output)}</pre></details>` : "";
      return `<li class="${kind}"><span class="sym">${SYMBOL[kind]}</span> ${escape(test.name)}${message}${output}</li>`;
    })
    .join("");
  const message = results?.message ? `<pre class="message">${escape(results.message)}</pre>` : "";
  return `<article class="challenge ${cell}" id="${anchor}"><h3><span class="badge ${cell}">${SYMBOL[cell]} ${escape(wordOf(student, id))}</span> ${escape(id)}</h3>${message}${tests ? `<ul class="tests">${tests}</ul>` : ""}</article>`;
}

function drillDown(input: ReportInput): string {
  const students = input.book.students.map((row, s) => {
    const student = input.results[s]!;
    const chips = input.book.challenges.map((id) => `<i class="chip ${cellOf(student, id)}"></i>`).join("");
    const details = input.book.challenges.map((id, c) => challengeDetail(student, id, `d-${s}-${c}`)).join("\n");
    return `<details class="student" id="s-${s}" data-student="${escape(row.student)}"><summary><span class="name">${escape(row.student)}</span> <span class="score">${row.passed}/${row.total} passed</span> <span class="chips" aria-hidden="true">${chips}</span></summary>
<div class="challenges">${details}</div></details>`;
  });
  return `<section id="students"><h2>Students</h2><p class="noprint"><button type="button" id="expand">Expand all</button> <button type="button" id="collapse">Collapse all</button></p>
${students.join("\n")}</section>`;
}

const STYLE = `
:root { --pass: #1a7f4b; --fail: #e07b00; --error: #b3261e; --missing: #d5d8dc; --ink: #1d232a; --muted: #5f6b76; --line: #e3e6ea; --bg: #fbfbfc; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 24px 28px 64px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 6px; } small, .meta { color: var(--muted); font-weight: normal; }
pre { margin: 6px 0; padding: 8px 10px; background: #f1f3f5; border-radius: 6px; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-word; max-height: 24em; overflow: auto; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
a { color: inherit; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 18px 0; }
.card { flex: 1 1 130px; background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 10px 14px; }
.card strong { display: block; font-size: 22px; } .card span { color: var(--muted); font-size: 12px; }
.card.error strong { color: var(--error); } .card.missing strong { color: var(--muted); } .card.flag strong { color: var(--fail); }
.scroll { overflow: auto; max-height: 80vh; border: 1px solid var(--line); border-radius: 8px; background: #fff; }
table { border-collapse: collapse; }
.matrix th, .matrix td { padding: 0; text-align: center; }
.matrix thead th { position: sticky; top: 0; background: #fff; z-index: 2; vertical-align: bottom; padding: 6px 2px; border-bottom: 1px solid var(--line); }
.matrix thead th.corner, .matrix tbody th, .matrix tfoot th { position: sticky; left: 0; background: #fff; z-index: 1; text-align: left; padding: 2px 12px 2px 8px; white-space: nowrap; font-weight: 500; }
.matrix thead th.corner { z-index: 3; }
.matrix th.col span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; font-weight: 500; font-size: 12px; }
.matrix td.cell { width: 26px; height: 24px; border: 1px solid #fff; }
.matrix td.cell a { display: block; line-height: 22px; text-decoration: none; font-weight: 700; }
.matrix td.total { padding: 0 10px; font-variant-numeric: tabular-nums; color: var(--muted); }
.matrix tbody tr:hover th, .matrix tbody tr:hover td.total { background: #eef4ff; }
.matrix tfoot td.rate { font-size: 11px; padding: 4px 1px; background: hsl(calc(var(--rate) * 120) 70% 88%); border: 1px solid #fff; }
.cell.pass { background: var(--pass); color: #fff; } .cell.fail { background: var(--fail); color: #fff; } .cell.error { background: var(--error); color: #fff; } .cell.missing { background: var(--missing); color: var(--muted); } .cell.stub { background: repeating-linear-gradient(135deg, var(--missing) 0 4px, #fff 4px 8px); color: var(--muted); }
.legend .key { display: inline-block; width: 20px; text-align: center; border-radius: 3px; font-weight: 700; }
.rates td, .rates th, .letters td, .letters th, .flags td, .flags th { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; }
.rates .num { text-align: right; font-variant-numeric: tabular-nums; }
.rates td.bar { width: 40%; } .rates td.bar span { display: block; height: 12px; width: calc(var(--rate) * 100%); min-width: 2px; background: var(--pass); border-radius: 3px; }
.struggles li { margin-bottom: 14px; } .test-name { font-weight: 600; }
.letters, .flags { background: #fff; }
details.student { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 6px 0; }
details.student > summary { cursor: pointer; padding: 8px 12px; display: flex; gap: 12px; align-items: center; }
details.student > summary .name { font-weight: 600; min-width: 10em; } .score { color: var(--muted); min-width: 7em; }
.chips { display: flex; gap: 2px; flex-wrap: wrap; } .chip { width: 9px; height: 9px; border-radius: 2px; display: inline-block; }
.chip.pass { background: var(--pass); } .chip.fail { background: var(--fail); } .chip.error { background: var(--error); } .chip.missing { background: var(--missing); } .chip.stub { background: #fff; outline: 1px solid var(--missing); }
.challenges { padding: 4px 14px 12px; }
article.challenge { border-top: 1px solid var(--line); padding: 8px 0; scroll-margin-top: 12px; }
article.challenge:target { outline: 3px solid #4c8dff; outline-offset: 4px; border-radius: 4px; }
.badge { display: inline-block; font-size: 12px; padding: 1px 8px; border-radius: 10px; margin-right: 6px; }
.badge.pass { background: var(--pass); color: #fff; } .badge.fail { background: var(--fail); color: #fff; } .badge.error { background: var(--error); color: #fff; } .badge.missing, .badge.stub { background: var(--missing); }
ul.tests { list-style: none; padding: 0; margin: 4px 0; } ul.tests li { padding: 2px 0; }
ul.tests li.pass .sym { color: var(--pass); } ul.tests li.fail .sym, ul.tests li.error .sym { color: var(--error); font-weight: 700; }
details.output summary { cursor: pointer; color: var(--muted); font-size: 12px; }
select { font: inherit; font-size: 13px; }
button { font: inherit; padding: 4px 10px; border: 1px solid var(--line); border-radius: 6px; background: #fff; cursor: pointer; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { max-width: none; padding: 0; background: #fff; font-size: 10px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .noprint { display: none !important; }
  .scroll { overflow: visible; max-height: none; border: 0; }
  .matrix thead { display: table-header-group; } .matrix tr, article.challenge, .struggles li { break-inside: avoid; }
  .matrix thead th, .matrix tbody th { position: static; }
  h2 { break-after: avoid; } #students { break-before: page; }
  /* Closed drill-downs print open: the content of a closed <details> is otherwise not rendered. */
  details::details-content { content-visibility: visible; display: block; }
  details > summary { list-style: none; }
  pre, code { max-height: none; overflow: visible; font-size: 9px; }
  h1 { font-size: 18px; } h2 { font-size: 14px; } h3 { font-size: 11px; } .card strong { font-size: 16px; }
  a { text-decoration: none; }
}`;

const SCRIPT = `
(() => {
  const reveal = () => {
    const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target) return;
    for (let node = target; node; node = node.parentElement) if (node.tagName === "DETAILS") node.open = true;
    target.scrollIntoView({ block: "start" });
  };
  addEventListener("hashchange", reveal);
  reveal();
  const all = () => document.querySelectorAll("details.student");
  document.getElementById("expand").addEventListener("click", () => all().forEach((d) => (d.open = true)));
  document.getElementById("collapse").addEventListener("click", () => all().forEach((d) => (d.open = false)));
  // Print every drill-down open, then put them back as they were.
  let wasOpen = [];
  addEventListener("beforeprint", () => { wasOpen = [...all()].map((d) => d.open); all().forEach((d) => (d.open = true)); });
  addEventListener("afterprint", () => all().forEach((d, i) => (d.open = wasOpen[i] ?? d.open)));
  const body = document.querySelector("#matrix tbody");
  const rows = [...body.rows];
  document.getElementById("sort").addEventListener("change", (event) => {
    const by = event.target.value;
    const sorted = by === "name" ? rows : [...rows].sort((a, b) => (by === "most" ? 1 : -1) * (Number(b.dataset.passed) - Number(a.dataset.passed)));
    body.append(...sorted);
  });
})();`;

/** The whole page. */
export function classReport(input: ReportInput): string {
  const stats = challengeStats(input);
  const when = input.generatedAt.toISOString().replace("T", " ").slice(0, 16);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escape(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escape(input.title)}</h1>
<p class="meta">Graded ${escape(input.gradedBy)} · ${escape(when)} UTC · hidden tests of ${input.book.challenges.length}${input.assignment ? " assigned" : ""} challenge(s)${input.assignment?.due ? ` · due ${escape(input.assignment.due)}` : ""}</p></header>
<main>
${summary(input, stats)}
${matrix(input, stats)}
${passRates(input, stats)}
${struggles(stats)}
${copyFlagsSection(input.copyFlags)}
${deadLetters(input)}
${drillDown(input)}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
