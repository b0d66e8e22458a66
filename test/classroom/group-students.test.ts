import { describe, expect, test } from "vitest";
import { groupStudents } from "../../runner/classroom/groups.ts";

const students = (n: number) => Array.from({ length: n }, (_, i) => `student-${i + 1}`);
const sizes = (groups: unknown[][]) => groups.map((group) => group.length);

describe("groupStudents", () => {
  test("a small class is split so that every parallel run has a group", () => {
    expect(sizes(groupStudents(students(16), 2))).toEqual([8, 8]);
    expect(sizes(groupStudents(students(5), 2))).toEqual([3, 2]);
  });

  test("a large class gets groups of at most 25, a multiple of `parallel` of them, of sizes within one", () => {
    expect(sizes(groupStudents(students(100), 2))).toEqual([25, 25, 25, 25]);
    expect(sizes(groupStudents(students(101), 2))).toEqual([17, 17, 17, 17, 17, 16]);
    expect(sizes(groupStudents(students(51), 2))).toEqual([13, 13, 13, 12]);
    expect(sizes(groupStudents(students(75), 3))).toEqual([25, 25, 25]);
    expect(sizes(groupStudents(students(40), 1, 16))).toEqual([14, 13, 13]);
  });

  test("never more groups than students, none empty, everyone once and in order", () => {
    expect(groupStudents(students(1), 4)).toEqual([["student-1"]]);
    expect(groupStudents([], 2)).toEqual([]);
    for (const n of [1, 2, 7, 17, 31, 64, 99, 160]) {
      for (const parallel of [1, 2, 3, 8]) {
        const groups = groupStudents(students(n), parallel);
        expect(groups.flat()).toEqual(students(n));
        expect(groups.every((group) => group.length > 0 && group.length <= 25)).toBe(true);
      }
    }
  });
});
