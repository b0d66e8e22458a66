// A real worker process for the experiment. argv[2] is a JSON scenario:
// { jobs: [{ id, ms }], graceMs, handlers: boolean }. It logs to stdout, tells
// the parent over IPC when its jobs are running and when it handled a signal.
import { systemClock } from "#kit/clock.ts";
import { startDemoWorker, type DemoJob, type DemoSignal } from "./demo-worker.ts";

const scenario = JSON.parse(process.argv[2] ?? "{}") as { jobs: DemoJob[]; graceMs: number; handlers: boolean };

const worker = startDemoWorker({
  jobs: scenario.jobs,
  clock: systemClock,
  graceMs: scenario.graceMs,
  log: (line) => console.log(line),
  exit: (code) => process.exit(code),
});

if (scenario.handlers) {
  // process.on, not process.once: the second signal must reach us too.
  for (const name of ["SIGTERM", "SIGINT"] as const) {
    process.on(name, (signal: DemoSignal) => {
      worker.signal(signal);
      process.send?.("signal handled");
    });
  }
}
process.send?.("jobs running");
