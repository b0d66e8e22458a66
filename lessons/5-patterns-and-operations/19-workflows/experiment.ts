// Parent/child flows on a fake clock: a parent waits for its children, gets their
// results, and must be released exactly once. Then the classic race (check the
// siblings after an async save), and what a child's permanent failure does.

import { FakeClock } from "#kit/clock.ts";

interface Spec {
  name: string;
  ms: number;
  /** Attempt numbers that fail. */
  failOn?: number[];
  attempts?: number;
  failParentOnFailure?: boolean;
  result?: string;
  children?: Spec[];
}

interface Node {
  spec: Spec;
  parent?: Node;
  children: Node[];
  pending: Set<string>;
  state: "waiting-children" | "waiting" | "active" | "completed" | "failed";
  attemptsMade: number;
  runs: number;
  value?: string;
}

type Release = "atomic" | "check-after-save";

let flows = 0;

async function runFlow(title: string, root: Spec, release: Release): Promise<void> {
  console.log(`${flows++ > 0 ? "\n" : ""}== ${title}`);
  const clock = new FakeClock();
  const log = (message: string) => console.log(`${`t=${clock.now()}`.padEnd(6)} ${message}`);

  const build = (spec: Spec, parent?: Node): Node => {
    const node: Node = { spec, parent, children: [], pending: new Set(), state: "waiting", attemptsMade: 0, runs: 0 };
    for (const child of spec.children ?? []) {
      node.children.push(build(child, node));
      node.pending.add(child.name);
    }
    if (node.children.length > 0) node.state = "waiting-children";
    return node;
  };
  const top = build(root);

  async function run(node: Node): Promise<void> {
    node.state = "active";
    node.attemptsMade++;
    if (node.children.length > 0) node.runs++;
    const values = Object.fromEntries(node.children.map((c) => [c.spec.name, c.value]));
    const input = node.children.length > 0 ? ` with ${JSON.stringify(values)}` : "";
    const what = node.children.length > 0 ? `run #${node.runs}` : `attempt ${node.attemptsMade}`;
    log(`${node.spec.name}: ${what} started${input}`);
    await clock.sleep(node.spec.ms);
    if (node.spec.failOn?.includes(node.attemptsMade)) {
      if (node.attemptsMade < (node.spec.attempts ?? 1)) {
        log(`${node.spec.name}: attempt ${node.attemptsMade} failed, retrying`);
        return run(node);
      }
      return fail(node);
    }
    node.value = node.spec.result ?? "ok";
    await completed(node);
  }

  async function completed(node: Node): Promise<void> {
    const parent = node.parent;
    if (!parent) {
      node.state = "completed";
      return log(`${node.spec.name}: completed`);
    }
    if (release === "atomic") {
      // One step: mark done, drop from the parent's pending set, release on empty.
      node.state = "completed";
      parent.pending.delete(node.spec.name);
      if (parent.pending.size === 0 && parent.state === "waiting-children") {
        log(`${node.spec.name}: completed; ${parent.spec.name} released`);
        parent.state = "waiting";
        void run(parent);
      } else if (parent.state === "failed") {
        log(`${node.spec.name}: completed; ${parent.spec.name} is failed, nothing to release`);
      } else {
        log(`${node.spec.name}: completed; ${parent.spec.name} still waits for ${[...parent.pending].join(", ")}`);
      }
    } else {
      // Two steps with an await between them, like two separate database calls.
      node.state = "completed";
      log(`${node.spec.name}: completed, saving the result (5 ms)`);
      await clock.sleep(5);
      if (parent.children.every((c) => c.state === "completed")) {
        log(`${node.spec.name}: saved; all siblings completed, releasing ${parent.spec.name}`);
        void run(parent);
      }
    }
  }

  function fail(node: Node): void {
    node.state = "failed";
    const parent = node.parent;
    if (parent && node.spec.failParentOnFailure && parent.state === "waiting-children") {
      parent.state = "failed";
      log(`${node.spec.name}: failed for good; failParentOnFailure fails ${parent.spec.name}, which will never run`);
    } else if (parent) {
      log(`${node.spec.name}: failed for good; ${parent.spec.name} keeps waiting for it`);
    } else {
      log(`${node.spec.name}: failed for good`);
    }
  }

  const leaves = (node: Node): Node[] => (node.children.length === 0 ? [node] : node.children.flatMap(leaves));
  for (const leaf of leaves(top)) void run(leaf);
  await clock.runAll();
  console.log(`final: ${top.spec.name} is ${top.state}, its processor ran ${top.runs} time(s)`);
}

const invoice: Spec = {
  name: "invoice",
  ms: 50,
  children: [
    { name: "lines", ms: 300, result: "12 lines" },
    { name: "tax", ms: 200, failOn: [1], attempts: 3, result: "$8.40" },
    { name: "discounts", ms: 400, result: "-$5.00" },
  ],
};

await runFlow("fan-out / fan-in: invoice waits for 3 children (atomic release)", invoice, "atomic");
await runFlow("same flow, released by 'save my result, then check the siblings'", invoice, "check-after-save");

const report = (failParentOnFailure: boolean): Spec => ({
  name: "report",
  ms: 50,
  children: [
    { name: "fetch", ms: 100, failOn: [1, 2], attempts: 2, failParentOnFailure },
    { name: "render", ms: 300 },
  ],
});
await runFlow("a child fails for good, with failParentOnFailure", report(true), "atomic");
await runFlow("the same without it (BullMQ's default)", report(false), "atomic");
