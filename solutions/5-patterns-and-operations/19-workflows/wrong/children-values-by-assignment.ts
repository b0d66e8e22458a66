// queuecraft:hidden-or-solution — never in a student edition
// Builds childrenValues by plain assignment, so the value of a child named "__proto__" is not an own property (it replaces the object's prototype, or vanishes when it is not an object) and the parent never sees it.
export interface FlowJob {
  name: string;
  data?: unknown;
  children?: FlowJob[];
  attempts?: number;
  failParentOnFailure?: boolean;
}
export type FlowJobState = "waiting-children" | "waiting" | "active" | "completed" | "failed";
export interface ProcessorJob { name: string; data: unknown; attempt: number; childrenValues: Record<string, unknown> }
export interface JobView { name: string; state: FlowJobState; attemptsMade: number; returnValue?: unknown; failedReason?: string }
export interface FlowRunnerOptions { processor: (job: ProcessorJob) => Promise<unknown>; concurrency?: number }
export interface FlowRunner { add(flow: FlowJob): void; getJob(name: string): JobView | undefined }

interface Node {
  name: string;
  data: unknown;
  attempts: number;
  failParent: boolean;
  parent: Node | undefined;
  children: Node[];
  pending: Set<Node>;
  state: FlowJobState;
  attemptsMade: number;
  returnValue?: unknown;
  failedReason?: string;
}

export function createFlowRunner(options: FlowRunnerOptions): FlowRunner {
  const { processor } = options;
  const limit = options.concurrency ?? Infinity;
  const nodes = new Map<string, Node>();
  const line: Node[] = [];
  let running = 0;

  function pump(): void {
    while (running < limit && line.length > 0) start(line.shift()!);
  }

  function start(node: Node): void {
    node.state = "active";
    node.attemptsMade++;
    running++;
    const childrenValues: Record<string, unknown> = {};
    for (const child of node.children) {
      childrenValues[child.name] = child.returnValue;
    }
    let call: Promise<unknown>;
    try {
      call = Promise.resolve(processor({ name: node.name, data: node.data, attempt: node.attemptsMade, childrenValues }));
    } catch (error) {
      call = Promise.reject(error);
    }
    call.then(
      (value) => {
        running--;
        complete(node, value);
        pump();
      },
      (error: unknown) => {
        running--;
        if (node.attemptsMade < node.attempts) {
          node.state = "waiting";
          line.push(node);
        } else {
          fail(node, error instanceof Error ? error.message : String(error));
        }
        pump();
      },
    );
  }

  function complete(node: Node, value: unknown): void {
    node.state = "completed";
    node.returnValue = value;
    const parent = node.parent;
    if (!parent) return;
    parent.pending.delete(node);
    if (parent.pending.size === 0 && parent.state === "waiting-children") {
      parent.state = "waiting";
      line.push(parent);
    }
  }

  function fail(node: Node, reason: string): void {
    node.state = "failed";
    node.failedReason = reason;
    const parent = node.parent;
    if (node.failParent && parent && parent.state === "waiting-children") {
      fail(parent, `child ${JSON.stringify(node.name)} failed: ${reason}`);
    }
  }

  function build(flow: FlowJob, parent: Node | undefined, into: Node[]): Node {
    const node: Node = {
      name: flow.name,
      data: flow.data,
      attempts: flow.attempts ?? 1,
      failParent: flow.failParentOnFailure === true,
      parent,
      children: [],
      pending: new Set(),
      state: "waiting",
      attemptsMade: 0,
    };
    into.push(node);
    for (const child of flow.children ?? []) node.children.push(build(child, node, into));
    node.pending = new Set(node.children);
    node.state = node.children.length > 0 ? "waiting-children" : "waiting";
    return node;
  }

  return {
    add(flow) {
      const fresh: Node[] = [];
      build(flow, undefined, fresh);
      const seen = new Set<string>();
      for (const node of fresh) {
        if (nodes.has(node.name) || seen.has(node.name)) throw new Error(`job name ${JSON.stringify(node.name)} is already used`);
        seen.add(node.name);
      }
      for (const node of fresh) nodes.set(node.name, node);
      for (const node of fresh) if (node.state === "waiting") line.push(node);
      pump();
    },
    getJob(name) {
      const node = nodes.get(name);
      if (!node) return undefined;
      const view: JobView = { name: node.name, state: node.state, attemptsMade: node.attemptsMade };
      if (node.state === "completed") view.returnValue = node.returnValue;
      if (node.failedReason !== undefined) view.failedReason = node.failedReason;
      return view;
    },
  };
}
