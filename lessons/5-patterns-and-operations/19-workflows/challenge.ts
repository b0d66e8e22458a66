// Workflows: a flow runner in the style of BullMQ's FlowProducer. A parent job
// waits for all of its children, runs exactly once, and reads their results.

/** One node of a flow tree, as given to add(). */
export interface FlowJob {
  /** Unique across every job ever added to this runner. Any string ("constructor", "__proto__" included). */
  name: string;
  data?: unknown;
  /** Jobs that must all complete before this one may run. Children may have children. */
  children?: FlowJob[];
  /** Processor calls this job may get before it fails for good. Default 1 (no retries). */
  attempts?: number;
  /**
   * If THIS job fails for good, its parent fails too, without ever running (and if the
   * parent has failParentOnFailure as well, the failure continues upwards).
   * Without it, a failed child leaves its parent in "waiting-children" forever (as BullMQ does).
   */
  failParentOnFailure?: boolean;
}

export type FlowJobState = "waiting-children" | "waiting" | "active" | "completed" | "failed";

/** What the processor receives for one attempt. */
export interface ProcessorJob {
  name: string;
  data: unknown;
  /** 1 for the first call for this job, 2 for its first retry, ... */
  attempt: number;
  /**
   * Return values of this job's DIRECT children: one own property per child, named after it
   * ({} for a job without children).
   */
  childrenValues: Record<string, unknown>;
}

/** A snapshot of one job. */
export interface JobView {
  name: string;
  state: FlowJobState;
  /** Processor calls so far. */
  attemptsMade: number;
  /** Set once the job completed. */
  returnValue?: unknown;
  /** Set once the job failed for good: its last error message, or which child failed. */
  failedReason?: string;
}

export interface FlowRunnerOptions {
  /** Runs one attempt of one job; resolving completes it, rejecting fails the attempt. */
  processor: (job: ProcessorJob) => Promise<unknown>;
  /** Most processor calls in flight at once. Default: no limit. */
  concurrency?: number;
}

export interface FlowRunner {
  /**
   * Adds a whole flow tree.
   * - [C1] Jobs with children start in "waiting-children", the others in "waiting".
   * - [C2] Throws, adding and running nothing of that flow, if a name is repeated inside
   *   the flow or was used by any job added before.
   * - [C3] Names are any strings: "constructor", "toString", "__proto__" are names like
   *   the others (a fresh runner has no job called "constructor").
   */
  add(flow: FlowJob): void;
  /**
   * - [C4] A snapshot of the named job, or undefined for a name never added. A snapshot:
   *   editing the object it returns changes nothing inside the runner, and it does not
   *   change when the job moves on later.
   */
  getJob(name: string): JobView | undefined;
}

/**
 * Creates a flow runner. The contract:
 *
 * - [C5] It starts waiting jobs oldest first, in the order they became "waiting", as long
 *   as fewer than `concurrency` processor calls are in flight (default: no limit). A job
 *   whose attempt failed becomes waiting again at the END of that line, behind the jobs
 *   already waiting.
 * - [C6] A parent runs only after EVERY child has completed, however the children finish:
 *   in any order, several in the same tick, concurrently, after retries.
 * - [C7] A parent whose children all completed runs exactly once (plus its own retries, if
 *   it fails and has attempts left), never twice, and gets every child's return value in
 *   `childrenValues`, whatever that value is (0, "", false, null and undefined included).
 * - [C8] The processor gets the job's name and data, and `attempt`: 1 for its first call,
 *   2 for the next, ...; `attemptsMade` counts the calls so far.
 * - [C9] A resolved call completes the job: state "completed", `returnValue` the resolved
 *   value. A failed attempt with attempts left puts the job back to "waiting"; with none
 *   left the job is "failed", with `failedReason` the error's message when it threw an
 *   Error (even ""), or String(thrown value) otherwise (a thrown string is its own reason;
 *   a plain object with a `message` property is not an Error).
 * - [C10] A child failing for good with failParentOnFailure fails its parent at once
 *   (state "failed", failedReason containing the child's name); that parent never runs,
 *   even if its other children complete later. If the parent has failParentOnFailure
 *   too, its own parent fails the same way, and so on up.
 * - [C11] Without failParentOnFailure, a child failing for good leaves its parent in
 *   "waiting-children": it never runs.
 */
export function createFlowRunner(options: FlowRunnerOptions): FlowRunner {
  throw new Error("TODO: createFlowRunner — release each parent once, when its last child completes");
}
