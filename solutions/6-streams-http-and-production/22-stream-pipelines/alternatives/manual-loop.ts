// queuecraft:hidden-or-solution — never in a student edition
// Alternative: no pipeline() and no Transform: a plain loop pulls the source's iterator by hand, awaits each write's callback, and races every await against one "the run is over" promise fed by the caller's signal and both sinks' 'error' events.
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";

export type ItemResult<O> = { ok: true; value: O } | { ok: false; error: string };

export interface DeadLetter<I> {
  index: number;
  item: I;
  error: string;
}

export interface PipelineOptions<I, O> {
  source: Iterable<I> | AsyncIterable<I>;
  work: (item: I, signal: AbortSignal) => Promise<O>;
  results: Writable;
  dlq: Writable;
  signal?: AbortSignal;
}

export interface PipelineSummary {
  ok: number;
  failed: number;
}

function abortError(reason: unknown): Error {
  const error = new Error("The operation was aborted", { cause: reason });
  error.name = "AbortError";
  return error;
}

function write(stream: Writable, chunk: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

export async function runPipeline<I, O>(options: PipelineOptions<I, O>): Promise<PipelineSummary> {
  const { source, work, results, dlq } = options;
  const stop = new AbortController();
  const workSignal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let failure: { error: unknown } | undefined;
  let rejectOver!: (error: unknown) => void;
  const over = new Promise<never>((_resolve, reject) => (rejectOver = reject));
  over.catch(() => {});
  const fail = (error: unknown) => {
    if (failure) return;
    failure = { error };
    rejectOver(error);
    stop.abort(error);
  };
  const race = <T>(promise: Promise<T>): Promise<T> => Promise.race([promise, over]);
  // Read through a function: TypeScript's narrowing does not know fail() runs inside the awaits.
  const brokenBy = (): { error: unknown } | undefined => failure;

  const onAbort = () => fail(abortError(options.signal?.reason));
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  results.on("error", fail);
  dlq.on("error", fail);

  const iterator: Iterator<I> | AsyncIterator<I> =
    Symbol.asyncIterator in source ? (source as AsyncIterable<I>)[Symbol.asyncIterator]() : (source as Iterable<I>)[Symbol.iterator]();
  const summary: PipelineSummary = { ok: 0, failed: 0 };

  try {
    for (let index = 0; ; index++) {
      const early = brokenBy();
      if (early) throw early.error;
      const step = await race(Promise.resolve(iterator.next()));
      if (step.done) break;
      const item = step.value;
      let outcome: ItemResult<O>;
      try {
        outcome = { ok: true, value: await race(Promise.resolve().then(() => work(item, workSignal))) };
      } catch (error) {
        const broken = brokenBy();
        if (broken) throw broken.error; // cancelled or the run broke: not this item's failure
        const message = error instanceof Error ? error.message : String(error);
        await race(write(dlq, { index, item, error: message } satisfies DeadLetter<I>));
        outcome = { ok: false, error: message };
      }
      await race(write(results, outcome));
      if (outcome.ok) summary.ok++;
      else summary.failed++;
    }
    results.end();
    dlq.end();
    await race(Promise.all([finished(results), finished(dlq)]));
    return summary;
  } catch (error) {
    fail(error);
    const reason = brokenBy()!.error;
    // Close the source (a generator's finally runs) without waiting for it.
    Promise.resolve(iterator.return?.()).catch(() => {});
    if (!dlq.destroyed && !dlq.writableEnded) dlq.end();
    throw reason;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
}
