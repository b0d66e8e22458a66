// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: every job is a node with a set of pending children. A
// child's completion removes it from the set, and the parent is released by the
// one completion that empties the set, in the same synchronous step, so no other
// completion can see the parent in between (BullMQ does the same inside one Lua script).

export interface FlowJob {
  name: string;
  data?: unknown;
  children?: FlowJob[];
  attempts?: number;
  failParentOnFailure?: boolean;
}

export type FlowJobState = "waiting-children" | "waiting" | "active" | "completed" | "failed";

export interface ProcessorJob {
  name: string;
  data: unknown;
  attempt: number;
  childrenValues: Record<string, unknown>;
}

export interface JobView {
  name: string;
  state: FlowJobState;
  attemptsMade: number;
  returnValue?: unknown;
  failedReason?: string;
}

export interface FlowRunnerOptions {
  processor: (job: ProcessorJob) => Promise<unknown>;
  concurrency?: number;
}

export interface FlowRunner {
  add(flow: FlowJob): void;
  getJob(name: string): JobView | undefined;
}

interface Node {
  name: string;
  data: unknown;
  attempts: number;
  failParentOnFailure: boolean;
  parent: Node | undefined;
  children: Node[];
  /** Names of children that have not completed yet. */
  pending: Set<string>;
  state: FlowJobState;
  attemptsMade: number;
  returnValue?: unknown;
  failedReason?: string;
}

export function createFlowRunner(options: FlowRunnerOptions): FlowRunner {
  const { processor, concurrency = Infinity } = options;
  const nodes = new Map<string, Node>();
  const waiting: Node[] = [];
  let active = 0;

  function checkNames(flow: FlowJob, seen: Set<string>): void {
    if (nodes.has(flow.name) || seen.has(flow.name)) throw new Error(`job name "${flow.name}" is already used`);
    seen.add(flow.name);
    for (const child of flow.children ?? []) checkNames(child, seen);
  }

  function build(flow: FlowJob, parent: Node | undefined): Node {
    const node: Node = {
      name: flow.name,
      data: flow.data,
      attempts: flow.attempts ?? 1,
      failParentOnFailure: flow.failParentOnFailure ?? false,
      parent,
      children: [],
      pending: new Set(),
      state: "waiting",
      attemptsMade: 0,
    };
    nodes.set(node.name, node);
    for (const childFlow of flow.children ?? []) {
      node.children.push(build(childFlow, node));
      node.pending.add(childFlow.name);
    }
    if (node.children.length > 0) node.state = "waiting-children";
    else waiting.push(node);
    return node;
  }

  function pump(): void {
    while (active < concurrency && waiting.length > 0) void run(waiting.shift()!);
  }

  function release(node: Node): void {
    node.state = "waiting";
    waiting.push(node);
  }

  async function run(node: Node): Promise<void> {
    node.state = "active";
    node.attemptsMade += 1;
    active += 1;
    // fromEntries defines own properties: a child named "__proto__" is a key like any other.
    const childrenValues: Record<string, unknown> = Object.fromEntries(node.children.map((child) => [child.name, child.returnValue]));
    try {
      const value = await processor({ name: node.name, data: node.data, attempt: node.attemptsMade, childrenValues });
      completed(node, value);
    } catch (error) {
      failedAttempt(node, error instanceof Error ? error.message : String(error));
    } finally {
      active -= 1;
      pump();
    }
  }

  function completed(node: Node, value: unknown): void {
    node.state = "completed";
    node.returnValue = value;
    const parent = node.parent;
    if (!parent) return;
    parent.pending.delete(node.name);
    if (parent.pending.size === 0 && parent.state === "waiting-children") release(parent);
  }

  function failedAttempt(node: Node, reason: string): void {
    if (node.attemptsMade < node.attempts) return release(node);
    fail(node, reason);
  }

  function fail(node: Node, reason: string): void {
    node.state = "failed";
    node.failedReason = reason;
    const parent = node.parent;
    if (!parent || parent.state !== "waiting-children") return;
    if (node.failParentOnFailure) {
      fail(parent, `child "${node.name}" failed: ${reason}`);
    }
    // Otherwise the parent keeps waiting for a child that will never complete.
  }

  return {
    add(flow) {
      checkNames(flow, new Set());
      build(flow, undefined);
      pump();
    },
    getJob(name) {
      const node = nodes.get(name);
      if (!node) return undefined;
      const { state, attemptsMade, returnValue, failedReason } = node;
      return { name, state, attemptsMade, returnValue, failedReason };
    },
  };
}
