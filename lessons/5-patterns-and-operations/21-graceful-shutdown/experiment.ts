// Graceful shutdown, twice: first on a fake clock, so you can read the exact
// timeline of a drain that hits its hard deadline; then in real child
// processes that receive real SIGTERM and SIGINT signals from this process.
import { FakeClock } from "#kit/clock.ts";
import { spawnTs, exited } from "#kit/spawn-ts.ts";
import { fileURLToPath } from "node:url";
import { constants } from "node:os";
import { startDemoWorker, type DemoJob } from "./demo-worker.ts";

// --- 1. The timeline, on a fake clock ---------------------------------------------
console.log("== 1. One drain, one deadline (fake clock, grace period 1000 ms) ==");
const clock = new FakeClock();
const exitCodes: number[] = [];
const worker = startDemoWorker({
  jobs: [
    { id: "job-1", ms: 300 },
    { id: "job-2", ms: 5000 },
  ],
  clock,
  graceMs: 1000,
  log: (line) => console.log(`t=${String(clock.now()).padEnd(5)} ${line}`),
  exit: (code) => void exitCodes.push(code),
});
await clock.advance(100);
worker.signal("SIGTERM");
await clock.runAll();
console.log(`exit() was called ${exitCodes.length} time(s), with code ${exitCodes[0]}`);

// --- 2. Real processes, real signals ----------------------------------------------
console.log("");
console.log("== 2. Real child processes, real signals ==");

interface Scenario {
  title: string;
  jobs: DemoJob[];
  graceMs: number;
  handlers: boolean;
  signals: Array<"SIGTERM" | "SIGINT">;
}

const scenarios: Scenario[] = [
  {
    title: "SIGTERM, jobs shorter than the grace period",
    jobs: [{ id: "job-1", ms: 800 }, { id: "job-2", ms: 1000 }],
    graceMs: 5000,
    handlers: true,
    signals: ["SIGTERM"],
  },
  {
    title: "SIGTERM, jobs longer than the grace period",
    jobs: [{ id: "job-1", ms: 10_000 }, { id: "job-2", ms: 10_000 }],
    graceMs: 300,
    handlers: true,
    signals: ["SIGTERM"],
  },
  {
    title: "SIGTERM, then SIGINT while draining",
    jobs: [{ id: "job-1", ms: 10_000 }],
    graceMs: 10_000,
    handlers: true,
    signals: ["SIGTERM", "SIGINT"],
  },
  {
    title: "SIGTERM to a process with no signal handler",
    jobs: [{ id: "job-1", ms: 10_000 }],
    graceMs: 10_000,
    handlers: false,
    signals: ["SIGTERM"],
  },
];

const childFile = fileURLToPath(new URL("./worker-process.ts", import.meta.url));

async function run(scenario: Scenario): Promise<string[]> {
  const child = await spawnTs(childFile, [JSON.stringify(scenario)]);
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const nextMessage = () => new Promise<void>((resolve) => child.once("message", () => resolve()));

  await nextMessage(); // "jobs running"
  for (const [i, signal] of scenario.signals.entries()) {
    child.kill(signal);
    // Before sending another signal, wait until the child has handled this one.
    if (i < scenario.signals.length - 1) await nextMessage();
  }
  const result = await exited(child);
  const lines = stdout.trimEnd().split("\n").map((line) => `  | ${line}`);
  const how =
    typeof result === "number"
      ? `exit code ${result}`
      : `killed by ${result} (a shell reports ${128 + constants.signals[result]})`;
  return [`-- ${scenario.title}`, ...lines, `  => ${how}`];
}

// The four processes run side by side; their reports are printed in order.
const reports = await Promise.all(scenarios.map(run));
for (const report of reports) for (const line of report) console.log(line);
