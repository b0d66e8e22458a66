// queuecraft:hidden-or-solution — never in a student edition
// One "broken" promise set up before anything else (from 'error'/'close' listeners, or at once for a sink already destroyed), raced against every wait (next item, 'drain', 'finish'); the iterator is driven by hand so return() can be called on failure.
import type { Writable } from "node:stream";

function isAsync<T>(items: Iterable<T> | AsyncIterable<T>): items is AsyncIterable<T> {
  return typeof (items as AsyncIterable<T>)[Symbol.asyncIterator] === "function";
}

export async function produce<T>(items: Iterable<T> | AsyncIterable<T>, sink: Writable): Promise<number> {
  let breakage: unknown;
  let broken = false;
  let onBroken: (reason: unknown) => void = () => {};
  const brokenPromise = new Promise<never>((_, reject) => {
    onBroken = (reason) => {
      if (broken) return;
      broken = true;
      breakage = reason;
      reject(reason);
    };
  });
  brokenPromise.catch(() => {});
  const onError = (error: unknown) => onBroken(error);
  const onClose = () => {
    if (!sink.writableFinished) onBroken(sink.errored ?? new Error("sink closed before finishing"));
  };
  sink.on("error", onError);
  sink.on("close", onClose);
  if (sink.destroyed) onBroken(sink.errored ?? new Error("sink was destroyed before produce() started"));

  const race = <V>(p: Promise<V>): Promise<V> => Promise.race([p, brokenPromise]);

  const iterator: Iterator<T> | AsyncIterator<T> = isAsync(items)
    ? items[Symbol.asyncIterator]()
    : items[Symbol.iterator]();
  let count = 0;
  let sourceDone = false;
  try {
    for (;;) {
      if (broken) throw breakage;
      let step: IteratorResult<T>;
      try {
        step = await race(Promise.resolve(iterator.next()));
      } catch (error) {
        if (broken) throw breakage;
        sourceDone = true;
        sink.destroy(error instanceof Error ? error : new Error(String(error)));
        throw error;
      }
      if (step.done) {
        sourceDone = true;
        break;
      }
      const ok = sink.write(step.value);
      count++;
      if (!ok) await race(new Promise<void>((resolve) => sink.once("drain", resolve)));
    }
    if (broken) throw breakage;
    const finished = new Promise<void>((resolve) => sink.once("finish", resolve));
    sink.end();
    await race(finished);
    return count;
  } catch (error) {
    if (!sourceDone) {
      try {
        void Promise.resolve(iterator.return?.()).catch(() => {});
      } catch {
        // a return() that throws changes nothing
      }
    }
    throw error;
  } finally {
    sink.off("close", onClose);
    // keep an 'error' listener: a late error must never be unhandled
    sink.off("error", onError);
    sink.on("error", () => {});
  }
}
