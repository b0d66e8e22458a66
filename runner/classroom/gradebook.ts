// The class gradebook: one row per student, one column per challenge, built
// from results.json objects. Pure: results in, CSV / JSON / JUnit XML text out.

import type { Results, Status } from "../grading/results.ts";

export interface StudentResults {
  student: string;
  /** Challenge id → results; a challenge not submitted is a failure with a message. */
  challenges: Record<string, Results>;
}

export interface Gradebook {
  challenges: string[];
  students: Array<{ student: string; statuses: Record<string, Status>; passed: number; total: number }>;
}

export function buildGradebook(challenges: string[], students: StudentResults[]): Gradebook {
  return {
    challenges,
    students: students.map(({ student, challenges: results }) => {
      const statuses = Object.fromEntries(challenges.map((id) => [id, results[id]?.status ?? "fail"])) as Record<string, Status>;
      return { student, statuses, passed: Object.values(statuses).filter((s) => s === "pass").length, total: challenges.length };
    }),
  };
}

const csvCell = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

export function gradebookCsv(book: Gradebook): string {
  const header = ["student", ...book.challenges, "passed", "total"];
  const rows = book.students.map((row) => [row.student, ...book.challenges.map((id) => row.statuses[id]!), String(row.passed), String(row.total)]);
  return [header, ...rows].map((cells) => cells.map(csvCell).join(",")).join("\n") + "\n";
}

const xml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

/** JUnit XML: a test suite per student, a test case per hidden test (or per challenge when none ran). */
export function gradebookJunit(students: StudentResults[]): string {
  const suites = students.map(({ student, challenges }) => {
    const cases: string[] = [];
    let failures = 0;
    let errors = 0;
    for (const [id, results] of Object.entries(challenges)) {
      const tests = results.tests.length > 0 ? results.tests : [{ name: id, status: results.status, message: results.message }];
      for (const test of tests) {
        const classname = xml(`${student}.${id}`);
        const name = xml(test.name);
        if (test.status === "pass") cases.push(`    <testcase classname="${classname}" name="${name}"/>`);
        else {
          const tag = test.status === "error" || results.status === "error" ? "error" : "failure";
          if (tag === "error") errors++;
          else failures++;
          const message = xml(test.message ?? results.message ?? "");
          cases.push(`    <testcase classname="${classname}" name="${name}">\n      <${tag} message="${xml((test.message ?? results.message ?? "").split("\n")[0] ?? "")}">${message}</${tag}>\n    </testcase>`);
        }
      }
    }
    return `  <testsuite name="${xml(student)}" tests="${cases.length}" failures="${failures}" errors="${errors}">\n${cases.join("\n")}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="queuecraft">\n${suites.join("\n")}\n</testsuites>\n`;
}
