// The worker thread an experiment runs in. A thread takes ~27 ms to boot, as
// long as the CLI takes to load and find the lesson, so `npm run lesson <id>`
// starts one first thing (runner/bin.mjs) and hands it the experiment when
// the build is ready: the two overlap instead of adding up. The thread waits
// for its job on a message, because the module, the environment and the
// sandbox marker are not known when it starts.
//
// No imports from the rest of the runner: bin.mjs loads this before the CLI.

import { Worker } from "node:worker_threads";

export const FLOODED = "queuecraft:flooded";

/** V8 old-generation heap cap of an experiment's thread, unless a caller asks for another. */
export const DEFAULT_HEAP_MB = 512;

export interface ThreadJob {
  moduleUrl: string;
  env: Record<string, string>;
  maxOutputBytes: number;
}

/**
 * The thread's first code. A worker's stdout reaches the parent only when the
 * worker's event loop turns, so `for (;;) console.log()` would never be seen
 * flooding; counting bytes inside the worker, synchronously, catches it.
 */
const BOOTSTRAP = `
const { parentPort } = require("node:worker_threads");
parentPort.once("message", ({ moduleUrl, env, maxOutputBytes }) => {
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, env);
  let bytes = 0;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = (chunk, ...rest) => {
      bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
      if (bytes > maxOutputBytes) {
        parentPort.postMessage(${JSON.stringify(FLOODED)});
        process.exit(1);
      }
      return write(chunk, ...rest);
    };
  }
  // The port was only for the job: from here on the experiment alone keeps the thread alive.
  parentPort.unref();
  import(moduleUrl).catch((error) => process.nextTick(() => { throw error; }));
});
`;

function startThread(heapMb: number): Worker {
  return new Worker(BOOTSTRAP, {
    eval: true,
    // The real environment comes with the job.
    env: {},
    stdout: true,
    stderr: true,
    argv: [],
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
  });
}

let reserved: { worker: Worker; heapMb: number } | undefined;

/** Starts a thread now for the experiment that will be run soon. It does not keep the process alive while unused. */
export function reserveExperimentThread(heapMb = DEFAULT_HEAP_MB): void {
  const worker = startThread(heapMb);
  worker.unref();
  reserved = { worker, heapMb };
}

/** The reserved thread if it fits, else a new one; either way running `job`. */
export function experimentThread(job: ThreadJob, heapMb: number): Worker {
  const spare = reserved;
  reserved = undefined;
  if (spare && spare.heapMb !== heapMb) void spare.worker.terminate();
  const worker = spare?.heapMb === heapMb ? spare.worker : startThread(heapMb);
  worker.ref();
  worker.postMessage(job);
  return worker;
}
