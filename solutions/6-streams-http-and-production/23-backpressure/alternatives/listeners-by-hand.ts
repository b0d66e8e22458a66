// queuecraft:hidden-or-solution — never in a student edition
// Alternative: no finished() and no once(): the sink's 'error', 'close' and 'finish' listeners are attached by hand for the whole run and settle one "sink is gone" promise; the source's iterator is pulled by hand and closed with return().
import type { Writable } from "node:stream";

export async function produce<T>(items: Iterable<T> | AsyncIterable<T>, sink: Writable): Promise<number> {
  let gone: Error | undefined; // set once the sink failed or closed before finishing
  let finishedOk = false;
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of [...waiters]) wake();
  };
  const onError = (error: Error) => {
    gone ??= error;
    wakeAll();
  };
  const onClose = () => {
    if (!finishedOk && sink.errored) gone ??= sink.errored;
    if (!finishedOk) gone ??= new Error("the sink closed before it finished");
    wakeAll();
  };
  const onFinish = () => {
    finishedOk = true;
    wakeAll();
  };
  const onDrain = () => wakeAll();
  sink.on("error", onError);
  sink.on("close", onClose);
  sink.on("finish", onFinish);
  sink.on("drain", onDrain);
  if (sink.destroyed && !finishedOk) gone ??= sink.errored ?? new Error("the sink was already closed");

  /** Resolves at the next drain/finish/error/close event. */
  const nextEvent = () => new Promise<void>((resolve) => waiters.add(function wake() {
    waiters.delete(wake);
    resolve();
  }));

  const iterator: Iterator<T> | AsyncIterator<T> =
    Symbol.asyncIterator in items ? (items as AsyncIterable<T>)[Symbol.asyncIterator]() : (items as Iterable<T>)[Symbol.iterator]();
  let written = 0;
  try {
    for (;;) {
      if (gone) break;
      let step: IteratorResult<T>;
      try {
        step = await iterator.next();
      } catch (thrown) {
        if (!sink.destroyed) sink.destroy(thrown instanceof Error ? thrown : new Error(String(thrown)));
        throw thrown;
      }
      if (step.done) break;
      if (gone) break;
      const accepted = sink.write(step.value);
      written++;
      if (!accepted) {
        // Wait for 'drain' unless the sink goes away first.
        while (!gone && sink.writableNeedDrain) await nextEvent();
      }
    }
    if (gone) {
      await Promise.resolve(iterator.return?.()).catch(() => {});
      throw gone;
    }
    sink.end();
    while (!finishedOk && !gone) await nextEvent();
    if (!finishedOk) throw gone;
    return written;
  } finally {
    sink.off("drain", onDrain);
    sink.off("finish", onFinish);
    sink.off("close", onClose);
    // Keep a no-op 'error' listener: an error emitted after we return must not crash the process.
    sink.off("error", onError);
    sink.on("error", () => {});
  }
}
