// junit.xml: a test suite per student, a test case per hidden test, or one per
// challenge when no test ran (an <error> with its kind as the type) or
// nothing was graded (<skipped>: not submitted, or the stub unchanged).
// Everything from a submission is student-controlled and may hold any
// character: those XML 1.0 forbids (controls, lone surrogates, U+FFFE and
// U+FFFF) are removed, and tab, CR and LF are written as character references
// wherever a parser would otherwise turn them into spaces or LF. Pure.

import type { Gradebook } from "./gradebook.ts";
import type { StudentResults } from "./outcome.ts";

/** Characters outside XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const ENTITIES: Record<string, string> = { "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;" };

/** Element content: CR kept as a reference (a parser turns a bare CRLF into LF). */
export const xmlText = (text: string): string => text.replace(FORBIDDEN, "").replace(/[<>&\r]/g, (c) => ENTITIES[c]!);
/** An attribute value: tab, CR and LF kept as references (a parser turns bare ones into spaces). */
export const xmlAttribute = (text: string): string => text.replace(FORBIDDEN, "").replace(/[<>&"'\t\n\r]/g, (c) => ENTITIES[c]!);

const SKIPPED = { "not submitted": "not submitted", "not attempted": "not attempted: the lesson's stub, handed in unchanged" } as const;

interface Case {
  xml: string;
  kind: "passed" | "failure" | "error" | "skipped";
}

function testcase(classname: string, name: string, body?: string): string {
  const open = `    <testcase classname="${xmlAttribute(classname)}" name="${xmlAttribute(name)}"`;
  return body === undefined ? `${open}/>` : `${open}>\n      ${body}\n    </testcase>`;
}

const firstLine = (text: string) => text.split(/\r\n|\r|\n/)[0] ?? "";

function casesOf(book: Gradebook, row: number, student: StudentResults): Case[] {
  const cases: Case[] = [];
  for (const id of book.challenges) {
    const cell = book.students[row]!.cells[id]!;
    const classname = `${student.student}.${id}`;
    if (cell.outcome === "not submitted" || cell.outcome === "not attempted") {
      cases.push({ kind: "skipped", xml: testcase(classname, id, `<skipped message="${xmlAttribute(SKIPPED[cell.outcome])}"/>`) });
      continue;
    }
    const results = student.challenges[id]!;
    if (results.tests.length === 0) {
      const message = results.message ?? "";
      const kind = cell.outcome === "error" ? "error" : "failure";
      const type = kind === "error" ? ` type="${xmlAttribute(cell.reason ?? "other")}"` : "";
      cases.push({ kind, xml: testcase(classname, id, `<${kind}${type} message="${xmlAttribute(firstLine(message))}">${xmlText(message)}</${kind}>`) });
      continue;
    }
    for (const test of results.tests) {
      if (test.status === "pass") {
        cases.push({ kind: "passed", xml: testcase(classname, test.name) });
        continue;
      }
      const errored = test.status === "error" || results.status === "error";
      const tag = errored ? "error" : "failure";
      const message = test.message ?? results.message ?? "";
      const type = errored && results.status === "error" ? ` type="${xmlAttribute(cell.reason ?? "other")}"` : "";
      cases.push({ kind: tag, xml: testcase(classname, test.name, `<${tag}${type} message="${xmlAttribute(firstLine(message))}">${xmlText(message)}</${tag}>`) });
    }
  }
  return cases;
}

const totals = (cases: Case[]) =>
  `tests="${cases.length}" failures="${cases.filter((c) => c.kind === "failure").length}" errors="${cases.filter((c) => c.kind === "error").length}" skipped="${cases.filter((c) => c.kind === "skipped").length}"`;

/** The whole file; `students` in the gradebook's order. */
export function gradebookJunit(book: Gradebook, students: StudentResults[]): string {
  const all: Case[] = [];
  const suites = students.map((student, row) => {
    const cases = casesOf(book, row, student);
    all.push(...cases);
    return `  <testsuite name="${xmlAttribute(student.student)}" ${totals(cases)}>\n${cases.map((c) => c.xml).join("\n")}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="queuecraft" ${totals(all)}>\n${suites.join("\n")}\n</testsuites>\n`;
}
