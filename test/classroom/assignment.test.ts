// What an instructor assigns (--challenges, or an assignment file in YAML or
// JSON): the ids in the course's order, or every problem with its line and fix.
import { describe, expect, test } from "vitest";
import { challengesFlag, parseAssignment } from "../../runner/classroom/assignment.ts";

const CHALLENGES = ["request-cycle", "retries-backoff", "idempotent-consumer"];
/** Every lesson: one of them has no challenge. */
const LESSONS = [...CHALLENGES, "what-is-a-queue"];
const parse = (text: string) => parseAssignment(text, "week-3.yaml", CHALLENGES, LESSONS);

describe("--challenges", () => {
  test("ids separated by commas, spaces allowed, in the course's order", () => {
    expect(challengesFlag("idempotent-consumer, request-cycle", CHALLENGES, LESSONS)).toEqual({ challenges: ["request-cycle", "idempotent-consumer"], problems: [] });
  });

  test("an unknown id is named with the nearest ones; a lesson without a challenge is said to be one", () => {
    expect(challengesFlag("retries-backof,what-is-a-queue", CHALLENGES, LESSONS).problems).toEqual([
      '--challenges: "retries-backof" is not a challenge of this course; did you mean "retries-backoff"?',
      '--challenges: "what-is-a-queue" is a lesson without a challenge: there is nothing to grade; leave it out',
    ]);
  });

  test("nothing given is a problem with an example", () => {
    expect(challengesFlag(" , ", CHALLENGES, LESSONS).problems).toEqual([expect.stringMatching(/^--challenges needs challenge ids, separated by commas, like --challenges /)]);
  });
});

describe("an assignment file", () => {
  test("YAML with a title and a due date", () => {
    expect(parse("title: Week 3, retries\ndue: 2026-03-14\nchallenges:\n  - retries-backoff\n  - request-cycle\n")).toEqual({
      assignment: { challenges: ["request-cycle", "retries-backoff"], title: "Week 3, retries", due: "2026-03-14" },
      problems: [],
    });
  });

  test("JSON, a due date-time, no title", () => {
    expect(parse('{\n  "due": "2026-03-14T23:59:00Z",\n  "challenges": ["idempotent-consumer"]\n}\n').assignment).toEqual({ challenges: ["idempotent-consumer"], due: "2026-03-14T23:59:00Z" });
  });

  test("a bare list of ids", () => {
    expect(parse("- request-cycle\n").assignment).toEqual({ challenges: ["request-cycle"] });
  });

  test("each unknown, repeated or misspelt id on its own line, with the fix", () => {
    expect(parse("title: Week 3\nchallenges:\n  - request-cycle\n  - retries-backof\n  - request-cycle\n  - what-is-a-queue\n").problems).toEqual([
      'week-3.yaml:4: "retries-backof" is not a challenge of this course; did you mean "retries-backoff"?',
      'week-3.yaml:5: "request-cycle" is listed twice; list it once',
      'week-3.yaml:6: "what-is-a-queue" is a lesson without a challenge: there is nothing to grade; leave it out',
    ]);
  });

  test("a due date that is not ISO, an unknown field and an empty title, each at its line", () => {
    expect(parse("title: ''\ndue: 14/03/2026\ndeadline: soon\nchallenges: [request-cycle]\n").problems).toEqual([
      "week-3.yaml:3: unknown field `deadline`; the fields are title, due, challenges",
      "week-3.yaml:1: `title` should be text, like `title: Week 3, retries`",
      "week-3.yaml:2: `due` should be an ISO date or date-time, like `due: 2026-03-14` or `due: 2026-03-14T23:59:00Z`",
    ]);
  });

  test("no challenges, or not a list of ids", () => {
    expect(parse("title: Week 3\n").problems).toEqual([expect.stringMatching(/^week-3\.yaml:1: `challenges` should be a list of challenge ids/)]);
    expect(parse("title: Week 3\nchallenges: request-cycle\n").problems).toEqual([expect.stringMatching(/^week-3\.yaml:2: `challenges` should be a list of challenge ids/)]);
    expect(parse("challenges: []\n").problems).toHaveLength(1);
  });

  test("text that is neither YAML nor JSON, or a lone word", () => {
    expect(parse("challenges: [request-cycle\n").problems).toEqual([expect.stringMatching(/^week-3\.yaml:\d+: not valid YAML or JSON: /)]);
    expect(parse("request-cycle\n").problems).toEqual([expect.stringMatching(/^week-3\.yaml:1: an assignment is a list of challenge ids, or a mapping/)]);
  });
});
