// gradebook.csv, written by csv-stringify (RFC 4180) for spreadsheets: a
// UTF-8 byte order mark (so Excel reads names in any script), CRLF between
// records, a field holding CR or LF always quoted, and every cell that a
// spreadsheet would run as a formula (starting with = + - @, a tab or a CR,
// or their full-width forms) prefixed with ' as OWASP recommends: student
// names are folder names, and a folder can be called =HYPERLINK(…). Pure.

import { stringify } from "csv-stringify/sync";
import type { Gradebook } from "./gradebook.ts";
import { cellText } from "./outcome.ts";

export const CSV_TOTALS = ["passed", "failed", "error", "not submitted", "total"] as const;

/**
 * One row per student: a cell per challenge (passed, failed, error: <reason>,
 * not submitted, not attempted), then the totals, where an untouched stub
 * counts as not submitted.
 */
export function gradebookCsv(book: Gradebook): string {
  const header = ["student", ...book.challenges, ...CSV_TOTALS];
  const rows = book.students.map((row) => [row.student, ...book.challenges.map((id) => cellText(row.cells[id]!)), row.passed, row.failed, row.errors, row.notSubmitted, row.total]);
  return stringify([header, ...rows], { bom: true, escape_formulas: true, quoted_match: /[\r\n]/, record_delimiter: "windows" });
}
