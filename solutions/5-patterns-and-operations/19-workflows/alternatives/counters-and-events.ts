// queuecraft:hidden-or-solution — never in a student edition
// Alternative: a class whose jobs count their unfinished children (a number, not a set), keep their parent's name rather than a pointer, and move through a ring of waiting names; failures climb the tree in a loop instead of recursion.
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

interface Entry {
  data: unknown;
  maxAttempts: number;
  propagate: boolean;
  parentName: string | null;
  childNames: string[];
  unfinished: number;
  view: JobView;
}

class Runner implements FlowRunner {
  private readonly entries = new Map<string, Entry>();
  private line: string[] = [];
  private head = 0;
  private running = 0;
  private readonly limit: number;

  constructor(private readonly processor: FlowRunnerOptions["processor"], concurrency: number | undefined) {
    this.limit = concurrency === undefined ? Number.POSITIVE_INFINITY : concurrency;
  }

  add(flow: FlowJob): void {
    const names: string[] = [];
    const stack: FlowJob[] = [flow];
    while (stack.length > 0) {
      const job = stack.pop()!;
      names.push(job.name);
      if (job.children) stack.push(...job.children);
    }
    if (new Set(names).size !== names.length || names.some((name) => this.entries.has(name))) {
      throw new Error("a job name in this flow is repeated or already used");
    }
    this.insert(flow, null);
    this.schedule();
  }

  getJob(name: string): JobView | undefined {
    const entry = this.entries.get(name);
    return entry === undefined ? undefined : { ...entry.view };
  }

  private insert(flow: FlowJob, parentName: string | null): void {
    const children = flow.children ?? [];
    this.entries.set(flow.name, {
      data: flow.data,
      maxAttempts: flow.attempts === undefined ? 1 : flow.attempts,
      propagate: flow.failParentOnFailure === true,
      parentName,
      childNames: children.map((child) => child.name),
      unfinished: children.length,
      view: { name: flow.name, state: children.length === 0 ? "waiting" : "waiting-children", attemptsMade: 0 },
    });
    if (children.length === 0) this.line.push(flow.name);
    for (const child of children) this.insert(child, flow.name);
  }

  private schedule(): void {
    while (this.running < this.limit && this.head < this.line.length) {
      const name = this.line[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.line.length) {
        this.line = this.line.slice(this.head);
        this.head = 0;
      }
      this.start(name);
    }
  }

  private start(name: string): void {
    const entry = this.entries.get(name)!;
    entry.view.state = "active";
    entry.view.attemptsMade++;
    this.running++;
    const childrenValues: Record<string, unknown> = {};
    for (const child of entry.childNames) {
      Object.defineProperty(childrenValues, child, { value: this.entries.get(child)!.view.returnValue, enumerable: true, writable: true, configurable: true });
    }
    let call: Promise<unknown>;
    try {
      call = this.processor({ name, data: entry.data, attempt: entry.view.attemptsMade, childrenValues });
    } catch (error) {
      call = Promise.reject(error);
    }
    call.then(
      (value) => this.done(name, value),
      (error: unknown) => this.failed(name, error),
    ).finally(() => {
      this.running--;
      this.schedule();
    });
  }

  private done(name: string, value: unknown): void {
    const entry = this.entries.get(name)!;
    entry.view.state = "completed";
    entry.view.returnValue = value;
    if (entry.parentName === null) return;
    const parent = this.entries.get(entry.parentName)!;
    parent.unfinished--;
    if (parent.unfinished === 0 && parent.view.state === "waiting-children") {
      parent.view.state = "waiting";
      this.line.push(entry.parentName);
    }
  }

  private failed(name: string, error: unknown): void {
    const entry = this.entries.get(name)!;
    if (entry.view.attemptsMade < entry.maxAttempts) {
      entry.view.state = "waiting";
      this.line.push(name);
      return;
    }
    let current: Entry | undefined = entry;
    let currentName = name;
    let reason = error instanceof Error ? error.message : String(error);
    while (current) {
      current.view.state = "failed";
      current.view.failedReason = reason;
      if (!current.propagate || current.parentName === null) return;
      const parent: Entry = this.entries.get(current.parentName)!;
      if (parent.view.state !== "waiting-children") return;
      reason = `its child ${currentName} failed: ${reason}`;
      currentName = current.parentName;
      current = parent;
    }
  }
}

export function createFlowRunner(options: FlowRunnerOptions): FlowRunner {
  return new Runner(options.processor, options.concurrency);
}
