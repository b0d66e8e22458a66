// The lesson frontmatter schema. Every field is described once, with the fix a
// lesson author needs when it is wrong; validation collects every problem in
// the file at once, each with its line.

import { createRequire } from "node:module";
import type { Document, LineCounter } from "yaml";
import type { Problem } from "./lesson-file.ts";

// Loaded on first use: a run whose catalog comes from the cache never pays for the YAML parser.
let yamlModule: typeof import("yaml") | undefined;
export const yaml = () => (yamlModule ??= createRequire(import.meta.url)("yaml") as typeof import("yaml"));

export const SERVICES = ["redis", "postgres"] as const;
export type Service = (typeof SERVICES)[number];
export const DIFFICULTIES = ["beginner", "intermediate", "advanced"] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

export interface LessonMeta {
  /** Kebab-case, unique and stable: learners type it and progress is keyed by it. */
  id: string;
  title: string;
  /** Phase number, 1-based: the menu groups lessons by it. */
  phase: number;
  phaseTitle: string;
  /** Position inside the phase. */
  sequence: number;
  difficulty: Difficulty;
  tags: string[];
  /** Ids of lessons to finish first; the menu locks this one until they are done. */
  prerequisites: string[];
  estimatedMinutes: number;
  /** Servers the experiment and hidden tests need; the runner provides them. */
  services: Service[];
  /** The experiment's time limit. */
  timeoutSeconds: number;
}

export const DEFAULT_TIMEOUT_SECONDS = 10;

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const isString = (value: unknown): value is string => typeof value === "string" && value.trim() !== "";
const isPositiveInteger = (value: unknown): value is number => Number.isInteger(value) && (value as number) > 0;
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");

interface Field {
  key: string;
  required: boolean;
  valid: (value: unknown) => boolean;
  fix: string;
}

const FIELDS: Field[] = [
  { key: "id", required: true, valid: (v) => isString(v) && ID.test(v), fix: "`id` should be a kebab-case string, like `request-cycle`" },
  { key: "title", required: true, valid: isString, fix: "`title` should be a non-empty string" },
  { key: "phase", required: true, valid: isPositiveInteger, fix: "`phase` should be a whole number from 1, like `phase: 1`" },
  { key: "phase_title", required: true, valid: isString, fix: "`phase_title` should be a non-empty string, like `Foundations (in memory)`" },
  { key: "sequence", required: true, valid: isPositiveInteger, fix: "`sequence` should be the lesson's position in its phase, a whole number from 1" },
  { key: "difficulty", required: true, valid: (v) => DIFFICULTIES.includes(v as Difficulty), fix: `\`difficulty\` should be one of ${DIFFICULTIES.join(", ")}` },
  { key: "tags", required: true, valid: isStringList, fix: "`tags` should be a list of strings, like `tags: [retries, backoff]`" },
  {
    key: "prerequisites",
    required: true,
    valid: (v) => isStringList(v) && v.every((id) => ID.test(id)),
    fix: "`prerequisites` should be a list of lesson ids, like `prerequisites: [request-cycle]` (or `[]`)",
  },
  { key: "estimated_minutes", required: true, valid: isPositiveInteger, fix: "`estimated_minutes` should be a whole number of minutes, like `20`" },
  {
    key: "services",
    required: false,
    valid: (v) => isStringList(v) && v.every((s) => SERVICES.includes(s as Service)),
    fix: `\`services\` should be a list drawn from ${SERVICES.join(", ")}, like \`services: [redis]\``,
  },
  {
    key: "timeout_seconds",
    required: false,
    valid: (v) => typeof v === "number" && v > 0 && v <= 600,
    fix: "`timeout_seconds` should be a number of seconds between 1 and 600",
  },
];

/** Line of a key in the document, or of the frontmatter itself. */
export function lineOfKey(document: Document, counter: LineCounter, key: string, firstLine: number): number {
  const contents = document.contents;
  const { isMap, isScalar } = yaml();
  if (isMap(contents)) {
    const pair = contents.items.find((item) => isScalar(item.key) && item.key.value === key);
    const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
    if (range) return firstLine + counter.linePos(range[0]).line - 1;
  }
  return firstLine - 1;
}

/**
 * Parses and validates frontmatter text that starts at `firstLine` of `file`.
 * With `standalone` (a single lesson file run by path), fields the runner does not
 * need to run it may be missing.
 */
export function parseFrontmatter(text: string, firstLine: number, file: string, standalone = false): { meta?: LessonMeta; problems: Problem[] } {
  const counter = new (yaml().LineCounter)();
  const document = yaml().parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  const problems: Problem[] = document.errors.map((error) => ({
    file,
    line: firstLine + (error.linePos?.[0]?.line ?? 1) - 1,
    message: `the frontmatter is not valid YAML: ${error.message.split("\n")[0]} — check indentation, quotes and the \`key: value\` form`,
  }));
  if (problems.length > 0) return { problems };
  const data = document.toJS() as unknown;
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { problems: [{ file, line: firstLine - 1, message: "the frontmatter should be a YAML mapping of `key: value` lines between two `---` lines" }] };
  }
  const values = data as Record<string, unknown>;
  const known = new Set(FIELDS.map((field) => field.key));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) {
      problems.push({ file, line: lineOfKey(document, counter, key, firstLine), message: `unknown frontmatter field \`${key}\`; the fields are ${[...known].join(", ")}` });
    }
  }
  for (const field of FIELDS) {
    const value = values[field.key];
    if (value === undefined || value === null) {
      const optional = !field.required || (standalone && field.key !== "id");
      if (!optional) problems.push({ file, line: firstLine - 1, message: `missing \`${field.key}\`: ${field.fix}` });
    } else if (!field.valid(value)) {
      problems.push({ file, line: lineOfKey(document, counter, field.key, firstLine), message: field.fix });
    }
  }
  if (problems.length > 0) return { problems };
  return {
    problems,
    meta: {
      id: values.id as string,
      title: (values.title as string | undefined) ?? (values.id as string),
      phase: (values.phase as number | undefined) ?? 1,
      phaseTitle: (values.phase_title as string | undefined) ?? "",
      sequence: (values.sequence as number | undefined) ?? 1,
      difficulty: (values.difficulty as Difficulty | undefined) ?? "beginner",
      tags: (values.tags as string[] | undefined) ?? [],
      prerequisites: (values.prerequisites as string[] | undefined) ?? [],
      estimatedMinutes: (values.estimated_minutes as number | undefined) ?? 0,
      services: (values.services as Service[] | undefined) ?? [],
      timeoutSeconds: (values.timeout_seconds as number | undefined) ?? DEFAULT_TIMEOUT_SECONDS,
    },
  };
}
