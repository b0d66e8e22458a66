// Checks over the whole course, once each lesson reads cleanly: unique ids
// and phase slots, folders that match ids and phases, one phase_title per
// phase, known prerequisites without a cycle. Pure.

import type { Problem } from "./lesson-file.ts";
import { nearest } from "./nearest.ts";
import type { Lesson } from "./catalog.ts";

/** A cycle in the prerequisite graph as a path `a → b → a`, if there is one. */
export function findCycle(edges: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === "done") return undefined;
    if (state.get(id) === "visiting") return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, "visiting");
    stack.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const id of [...edges.keys()].sort()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Course-wide checks over lessons that each read cleanly. Pure. */
export function checkCourse(lessons: Lesson[]): Problem[] {
  const problems: Problem[] = [];
  const byId = new Map<string, Lesson>();
  const slots = new Map<string, Lesson>();
  const phaseTitles = new Map<number, Lesson>();
  for (const lesson of lessons) {
    const { id, phase, sequence } = lesson.meta;
    const twin = byId.get(id);
    if (twin) problems.push({ file: lesson.file, line: 2, message: `duplicate id \`${id}\`: ${twin.file} has it too; ids must be unique` });
    else byId.set(id, lesson);
    const first = phaseTitles.get(phase);
    if (!first) phaseTitles.set(phase, lesson);
    else if (first.meta.phaseTitle !== lesson.meta.phaseTitle) {
      problems.push({ file: lesson.file, line: 2, message: `phase_title "${lesson.meta.phaseTitle}" differs from "${first.meta.phaseTitle}" of \`${first.meta.id}\`, in the same phase ${phase}: give every lesson of a phase the same title` });
    }
    const slot = `${phase}/${sequence}`;
    const clash = slots.get(slot);
    if (clash) problems.push({ file: lesson.file, line: 2, message: `phase ${phase}, sequence ${sequence} is taken by \`${clash.meta.id}\`: give each lesson its own sequence in the phase` });
    else slots.set(slot, lesson);
    if (lesson.folder) {
      const [phaseFolder, lessonFolder] = lesson.folder.split("/") as [string, string];
      if (lessonFolder.replace(/^\d+-/, "") !== id) {
        problems.push({ file: lesson.file, line: 2, message: `the folder ${lessonFolder} does not match the id \`${id}\`: name it NN-${id}` });
      }
      if (!phaseFolder.startsWith(`${phase}-`)) {
        problems.push({ file: lesson.file, line: 2, message: `the lesson says phase ${phase} but lives in ${phaseFolder}: move it to a folder named ${phase}-…, or fix \`phase\`` });
      }
    }
  }
  for (const lesson of lessons) {
    for (const prerequisite of lesson.meta.prerequisites) {
      if (!byId.has(prerequisite)) {
        const hint = nearest(prerequisite, [...byId.keys()]);
        problems.push({ file: lesson.file, line: 2, message: `unknown prerequisite \`${prerequisite}\`${hint.length ? ` — did you mean ${hint.map((h) => `\`${h}\``).join(" or ")}?` : ""}` });
      }
    }
  }
  // Over the first lesson of each id: a duplicate is reported as such, never also as a cycle.
  const cycle = findCycle(new Map([...byId].map(([id, lesson]) => [id, lesson.meta.prerequisites.filter((p) => byId.has(p))])));
  if (cycle) {
    const lesson = byId.get(cycle[0]!)!;
    problems.push({ file: lesson.file, line: 2, message: `prerequisite cycle: ${cycle.join(" → ")}; remove one of these prerequisites` });
  }
  return problems;
}
