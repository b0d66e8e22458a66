// What an instructor assigned: the challenges `grade` grades and every output
// lists (so a challenge nobody was asked to do is not a column of zeros),
// given as `--challenges a,b,c` or in an assignment file:
//
//   # week-3.yaml (JSON is YAML too: {"title": …, "challenges": [...]})
//   title: Week 3, retries        # optional: the report's title
//   due: 2026-03-14               # optional: an ISO date or date-time, shown in the report and gradebook.json
//   challenges:                   # required: challenge ids
//     - retries-backoff
//     - idempotent-consumer
//
// A bare list of ids is an assignment too. `due` is shown, never enforced: the
// LMS knows when each hand-in arrived; an archive's own time is the student's
// clock. Every problem names the file, the line and the fix. Pure.

import type { Document, LineCounter } from "yaml";
import { lineOfKey, yaml } from "../course/frontmatter.ts";
import { nearest } from "../course/nearest.ts";

export interface Assignment {
  /** Challenge ids, in the course's order. */
  challenges: string[];
  title?: string;
  due?: string;
}

const FIELDS = ["title", "due", "challenges"];
const DUE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Why `id` cannot be assigned, with the fix; undefined when it can.
 * `challenges` are the course's challenge ids, `lessons` every lesson's.
 */
function unknownId(id: string, challenges: string[], lessons: string[]): string | undefined {
  if (challenges.includes(id)) return undefined;
  if (lessons.includes(id)) return `"${id}" is a lesson without a challenge: there is nothing to grade; leave it out`;
  const near = nearest(id, challenges);
  return `"${id}" is not a challenge of this course${near.length ? `; did you mean ${near.map((n) => `"${n}"`).join(" or ")}?` : " (the challenge ids are the lesson ids of `npm run lesson`)"}`;
}

/** In the course's order, whatever order they were given in. */
const inCourseOrder = (ids: string[], challenges: string[]) => challenges.filter((id) => ids.includes(id));

/** `--challenges a,b,c`: the ids, or the problems (one a line). */
export function challengesFlag(value: string, challenges: string[], lessons: string[]): { challenges?: string[]; problems: string[] } {
  const ids = value.split(",").map((id) => id.trim()).filter(Boolean);
  if (ids.length === 0) return { problems: ["--challenges needs challenge ids, separated by commas, like --challenges retries-backoff,idempotent-consumer"] };
  const problems = ids.flatMap((id) => unknownId(id, challenges, lessons) ?? []).map((problem) => `--challenges: ${problem}`);
  return problems.length ? { problems } : { challenges: inCourseOrder(ids, challenges), problems };
}

/** An assignment file's text: the assignment, or the problems, each as `file:line: what and the fix`. */
export function parseAssignment(text: string, file: string, challenges: string[], lessons: string[]): { assignment?: Assignment; problems: string[] } {
  const counter = new (yaml().LineCounter)();
  const document = yaml().parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  const problem = (line: number, message: string) => `${file}:${line}: ${message}`;
  if (document.errors.length) {
    const error = document.errors[0]!;
    return { problems: [problem(error.linePos?.[0]?.line ?? 1, `not valid YAML or JSON: ${error.message.split("\n")[0]}`)] };
  }
  const data = document.toJS() as unknown;
  const shape = "an assignment is a list of challenge ids, or a mapping with `challenges:` (a list of ids) and optionally `title:` and `due:`";
  const mapping = Array.isArray(data) ? { challenges: data } : data;
  if (typeof mapping !== "object" || mapping === null) return { problems: [problem(1, shape)] };
  const fields = mapping as Record<string, unknown>;
  const lineOf = (key: string) => (Array.isArray(data) ? 1 : lineOfKey(document as Document, counter as LineCounter, key, 1));
  const problems: string[] = [];
  for (const key of Object.keys(fields).filter((key) => !FIELDS.includes(key))) problems.push(problem(lineOf(key), `unknown field \`${key}\`; the fields are ${FIELDS.join(", ")}`));
  const { title, due, challenges: listedIds } = fields;
  if (title !== undefined && (typeof title !== "string" || !title.trim())) problems.push(problem(lineOf("title"), "`title` should be text, like `title: Week 3, retries`"));
  if (due !== undefined && (typeof due !== "string" || !DUE.test(due) || Number.isNaN(Date.parse(due)))) {
    problems.push(problem(lineOf("due"), "`due` should be an ISO date or date-time, like `due: 2026-03-14` or `due: 2026-03-14T23:59:00Z`"));
  }
  if (!Array.isArray(listedIds) || listedIds.length === 0 || !listedIds.every((id) => typeof id === "string")) {
    problems.push(problem(listedIds === undefined ? 1 : lineOf("challenges"), `\`challenges\` should be a list of challenge ids, like \`challenges: [retries-backoff]\` (${shape})`));
    return { problems };
  }
  const ids = listedIds as string[];
  const items = itemLines(document as Document, counter as LineCounter, Array.isArray(data));
  ids.forEach((id, index) => {
    const line = items[index] ?? lineOf("challenges");
    if (ids.indexOf(id) !== index) problems.push(problem(line, `"${id}" is listed twice; list it once`));
    const unknown = unknownId(id, challenges, lessons);
    if (unknown) problems.push(problem(line, unknown));
  });
  if (problems.length) return { problems };
  return { assignment: { challenges: inCourseOrder(ids, challenges), ...(title ? { title: (title as string).trim() } : {}), ...(due ? { due: due as string } : {}) }, problems };
}

/** The line of each item of the challenges list (or of the document, when it is a bare list). */
function itemLines(document: Document, counter: LineCounter, bare: boolean): number[] {
  const { isMap, isSeq, isScalar } = yaml();
  const contents = document.contents;
  const list = bare ? contents : isMap(contents) ? contents.items.find((pair) => isScalar(pair.key) && pair.key.value === "challenges")?.value : undefined;
  if (!isSeq(list)) return [];
  return list.items.map((item) => {
    const range = (item as { range?: [number, number, number] }).range;
    return range ? counter.linePos(range[0]).line : 0;
  });
}
