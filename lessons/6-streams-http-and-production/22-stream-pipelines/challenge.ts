// Challenge: a stream pipeline with partial success and a dead-letter sink.
//
// Items flow Readable -> Transform -> Writable. One bad item must not sink the
// batch: it becomes a failure result and a DLQ entry, and the rest carry on.
// What must still stop the run: a broken sink, a broken source, an abort.

import type { Writable } from "node:stream";

/** One line of output per input item. */
export type ItemResult<O> = { ok: true; value: O } | { ok: false; error: string };

/** What the DLQ sink receives for each failed item. */
export interface DeadLetter<I> {
  /** The item's 0-based position in the source. */
  index: number;
  item: I;
  /** Same text as the failure result's `error`. */
  error: string;
}

export interface PipelineOptions<I, O> {
  /** The items, in order. Arrays, generators, async generators and Readables all qualify. */
  source: Iterable<I> | AsyncIterable<I>;
  /**
   * The per-item work. May take any time, may throw or reject. `signal` aborts
   * when the run is cancelled or fails; pass it on to whatever you await.
   */
  work: (item: I, signal: AbortSignal) => Promise<O>;
  /** objectMode sink for the ItemResult objects. */
  results: Writable;
  /** objectMode sink for the DeadLetter objects. */
  dlq: Writable;
  /** Cancels the run. */
  signal?: AbortSignal;
}

export interface PipelineSummary {
  ok: number;
  failed: number;
}

/**
 * Runs every item of `source` through `work` and writes the outcomes.
 *
 * - [C1] `results` receives exactly one ItemResult per input item, in input order,
 *   even when a later item's work finishes before an earlier one's would:
 *   `{ ok: true, value }` when work resolved (whatever the value: 0, "", null
 *   included), `{ ok: false, error }` when it threw or rejected. Items may be any
 *   value a stream can carry (0, "" and false included; not null or undefined).
 * - [C2] `error` is the Error's `message` (even an empty one), or
 *   `String(thrown)` for anything that is not an Error (a string, a number,
 *   undefined ...).
 * - [C3] Every failure is ALSO written to `dlq` as `{ index, item, error }`, in
 *   input order. A failing item never stops the others.
 * - [C4] Whether an item failed or was cancelled is decided by the run, not by
 *   the error: work that rejects with an error of its own named "AbortError"
 *   (its own timeout, say) while the run goes on is an ordinary failure, and the
 *   run carries on.
 * - [C5] On success, both sinks are ended, and the promise resolves with the
 *   counts `{ ok, failed }` only after both have finished (their 'finish' event:
 *   everything flushed).
 * - [C6] An error in either sink (a write that fails, an error in its final(), a
 *   destroy(err)) or in the source rejects the promise with that error, no more
 *   items are pulled from the source (a generator's `finally` runs), and the
 *   signal given to work still in flight aborts.
 * - [C7] When `signal` aborts, the promise rejects with an error whose `name` is
 *   "AbortError" (what stream/promises pipeline() gives you), the source is not
 *   pulled any more (a generator's `finally` runs), the work in flight sees its
 *   signal aborted, and this holds even when the work ignores its signal.
 * - [C8] The item cancelled mid-work by an abort produces neither a result nor a
 *   DLQ entry, whatever its work rejects with: it did not fail, it was cancelled.
 * - [C9] A signal that is already aborted at the call rejects the same way, with
 *   an AbortError whatever reason abort() was given.
 * - [C10] When the run fails or is aborted, the dead letters already written are
 *   kept: `dlq` is still ended (unless it is the sink that failed), so it
 *   flushes and emits 'finish' even though the promise rejects.
 */
export function runPipeline<I, O>(options: PipelineOptions<I, O>): Promise<PipelineSummary> {
  throw new Error("TODO: runPipeline — Readable -> Transform -> Writable with failure results, a DLQ sink, sink errors and abort");
}
