// gradebook.csv parsed back with csv-parse, and junit.xml read by a strict XML
// 1.0 parser (saxes), for a class whose names are meant to break both.
import { parse } from "csv-parse/sync";
import { SaxesParser } from "saxes";
import { describe, expect, test } from "vitest";
import { gradebookCsv } from "../../runner/classroom/csv.ts";
import { buildGradebook, type StudentResults } from "../../runner/classroom/gradebook.ts";
import { gradebookJunit, xmlAttribute, xmlText } from "../../runner/classroom/junit.ts";
import type { Results } from "../../runner/grading/results.ts";

const passed: Results = { version: 2, status: "pass", tests: [{ name: "works", status: "pass" }] };
const failed = (message: string, name = "adds"): Results => ({ version: 2, status: "fail", tests: [{ name: "first", status: "pass" }, { name, status: "fail", message }] });
const timedOut: Results = { version: 2, status: "error", message: "Timed out after 5 s: an infinite loop?", tests: [], errorKind: "timeout" };

/** Names a spreadsheet or an XML file could trip on: each is a student folder. */
const HOSTILE_NAMES = ["Smith, Ada", 'Bob "the builder"', "carriage\rreturn", "line\nfeed", "tab\tbed", "emoji 😀🎉", "中文 名字", "=HYPERLINK(\"http://x\")", "+1", "-2", "@sum", "\tleading tab"];

function hostileClass(): { ids: string[]; students: StudentResults[] } {
  const ids = ["queue", "retry"];
  const students: StudentResults[] = HOSTILE_NAMES.map((student, index) => ({
    student,
    challenges: (index % 3 === 0 ? { queue: passed, retry: timedOut } : index % 3 === 1 ? { queue: failed(`expected <a> & "b"\r\n\tgot ${student}`) } : {}) as Record<string, Results>,
    unchanged: index % 3 === 2 ? ["retry"] : [],
  }));
  return { ids, students };
}

describe("gradebook.csv", () => {
  test("parses back, cell for cell, names with commas, quotes, CR, LF, tab, emoji and CJK; formulas escaped", () => {
    const { ids, students } = hostileClass();
    const csv = gradebookCsv(buildGradebook(ids, students));
    const rows = parse(csv, { bom: true, relax_column_count: false }) as string[][];
    expect(rows[0]).toEqual(["student", "queue", "retry", "passed", "failed", "error", "not submitted", "total"]);
    const escaped = (name: string) => (/^[=+\-@\t\r]/.test(name) ? `'${name}` : name);
    expect(rows.slice(1).map((row) => row[0])).toEqual(HOSTILE_NAMES.map(escaped));
    expect(rows[1]).toEqual(["Smith, Ada", "passed", "error: timeout", "1", "0", "1", "0", "2"]);
    expect(rows[2]).toEqual(['Bob "the builder"', "failed", "not submitted", "0", "1", "0", "1", "2"]);
    expect(rows[3]).toEqual(["carriage\rreturn", "not submitted", "not attempted", "0", "0", "0", "2", "2"]);
  });

  test("starts with a UTF-8 byte order mark, ends records with CRLF and quotes every field holding CR or LF", () => {
    const { ids, students } = hostileClass();
    const csv = gradebookCsv(buildGradebook(ids, students));
    expect(csv.startsWith("\uFEFFstudent,")).toBe(true);
    expect(csv).toContain('\r\n"carriage\rreturn",');
    expect(csv).toContain('\r\n"line\nfeed",');
    expect(csv.endsWith("\r\n")).toBe(true);
  });

  test("no cell a spreadsheet would run: every one starting with = + - @ or a tab is prefixed with '", () => {
    const { ids, students } = hostileClass();
    const cells = (parse(gradebookCsv(buildGradebook(ids, students)), { bom: true }) as string[][]).flat();
    expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
  });
});

/** The document as a tree, or the parser's first complaint. */
function readXml(xml: string): { error?: string; root?: XmlNode } {
  const parser = new SaxesParser({ xmlns: false });
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  let error: string | undefined;
  parser.on("error", (e) => (error ??= e.message));
  parser.on("opentag", (tag) => {
    const node: XmlNode = { name: tag.name, attributes: tag.attributes as Record<string, string>, children: [], text: "" };
    if (stack.length) stack.at(-1)!.children.push(node);
    else root = node;
    stack.push(node);
  });
  parser.on("text", (text) => stack.length && (stack.at(-1)!.text += text));
  parser.on("closetag", () => stack.pop());
  parser.write(xml).close();
  return error ? { error } : { root };
}

interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  text: string;
}

describe("junit.xml", () => {
  test("is well-formed XML 1.0 for hostile names and messages, and keeps what XML allows of them", () => {
    const { ids, students } = hostileClass();
    const { error, root } = readXml(gradebookJunit(buildGradebook(ids, students), students));
    expect(error).toBeUndefined();
    const suites = root!.children;
    expect(suites.map((suite) => suite.attributes.name)).toEqual(HOSTILE_NAMES);
    // Tab, CR and LF survive in attributes (as references: a parser would make them spaces) and in text.
    expect(suites[2]!.children[0]!.attributes.classname).toBe("carriage\rreturn.queue");
    expect(suites[3]!.children[0]!.attributes.classname).toBe("line\nfeed.queue");
    expect(suites[4]!.children[0]!.attributes.classname).toBe("tab\tbed.queue");
    const failure = suites[1]!.children.find((c) => c.attributes.name === "adds")!.children[0]!;
    expect(failure.name).toBe("failure");
    expect(failure.attributes.message, "the first line").toBe('expected <a> & "b"');
    expect(failure.text).toBe('expected <a> & "b"\r\n\tgot Bob "the builder"');
  });

  test("characters XML 1.0 forbids are removed: controls, lone surrogates, U+FFFE and U+FFFF", () => {
    const nasty = "a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg\uFFFEh\uFFFFi\uD800j\uDFFFk😀l";
    const students: StudentResults[] = [{ student: nasty, challenges: { queue: failed(nasty, nasty) }, unchanged: [] }];
    const xml = gradebookJunit(buildGradebook(["queue"], students), students);
    const { error, root } = readXml(xml);
    expect(error).toBeUndefined();
    expect(root!.children[0]!.attributes.name).toBe("abcdefghijk😀l");
    expect(xmlText(nasty)).toBe("abcdefghijk😀l");
    expect(xmlAttribute("\t\r\n")).toBe("&#9;&#13;&#10;");
  });

  test("one case per challenge: skipped when not submitted or the stub is unchanged, an error of its kind when no test ran", () => {
    const students: StudentResults[] = [
      { student: "ada", challenges: { queue: timedOut }, unchanged: ["retry"] },
      { student: "bob", challenges: {}, unchanged: [] },
    ];
    const { root } = readXml(gradebookJunit(buildGradebook(["queue", "retry"], students), students));
    const [ada, bob] = root!.children;
    expect(ada!.attributes).toMatchObject({ tests: "2", failures: "0", errors: "1", skipped: "1" });
    expect(ada!.children[0]!.children[0]).toMatchObject({ name: "error", attributes: { type: "timeout", message: "Timed out after 5 s: an infinite loop?" } });
    expect(ada!.children[1]!.children[0]).toMatchObject({ name: "skipped", attributes: { message: expect.stringMatching(/^not attempted/) } });
    expect(bob!.children.map((c) => c.children[0]!.attributes.message)).toEqual(["not submitted", "not submitted"]);
    expect(root!.attributes).toMatchObject({ tests: "4", errors: "1", skipped: "3" });
  });
});
