// Why work leaves the request: the same four report requests served two ways,
// on a fake clock, so every number below is exact and the same on every run.
//
//   A. inline - the handler renders the report, then answers 200.
//   B. queued - the handler enqueues a job and answers 202 + Location at once;
//               a background worker renders the report.
//   C. queued, with two workers instead of one.
import { FakeClock } from "#kit/clock.ts";

const RENDER_MS = 9_000; // one report takes 9 s to render
const ENQUEUE_MS = 3; // writing one job row to Redis or Postgres: a few ms
const CLIENT_TIMEOUT_MS = 30_000; // the client (or a proxy in front) gives up after 30 s
const ARRIVALS = [0, 1_000, 2_000, 3_000]; // when clients 1..4 send POST /reports

type Response = { status: number; location?: string };
type Handler = (request: { client: number; attempt: number }) => Promise<Response>;

let clock = new FakeClock();
const log = (who: string, what: string) =>
  console.log(`t=${String(clock.now()).padStart(5)}  ${who.padEnd(9)} ${what}`);

/** The scarce resource: renders one report at a time (a CPU, a pool slot, a rate-limited API). */
class Renderer {
  #tail: Promise<void> = Promise.resolve();
  renders = 0;
  render(): Promise<void> {
    const done = this.#tail.then(() => clock.sleep(RENDER_MS)).then(() => void this.renders++);
    this.#tail = done;
    return done;
  }
}

/** The response, or "timeout" if it takes longer than `ms`. The server never hears about the timeout. */
function withTimeout(request: Promise<Response>, ms: number): Promise<Response | "timeout"> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve("timeout"), ms);
    void request.then((response) => {
      clock.clearTimeout(timer);
      resolve(response);
    });
  });
}

const abandoned = new Set<string>();

/** A client that sends POST /reports and, like most HTTP clients, retries once after a timeout. */
async function client(n: number, handle: Handler): Promise<void> {
  await clock.sleep(ARRIVALS[n - 1]!);
  for (let attempt = 1; attempt <= 2; attempt++) {
    const started = clock.now();
    log(`client ${n}`, attempt === 1 ? "POST /reports" : "POST /reports again");
    const response = await withTimeout(handle({ client: n, attempt }), CLIENT_TIMEOUT_MS);
    const took = clock.now() - started;
    if (response !== "timeout") {
      log(`client ${n}`, `${response.status} after ${took} ms${response.location ? `, Location: ${response.location}` : ""}`);
      return;
    }
    abandoned.add(`${n}/${attempt}`);
    log(`client ${n}`, `gave up after ${took} ms`);
  }
}

async function run(handle: Handler, background: Array<() => Promise<void>> = []): Promise<void> {
  const tasks = [...background.map((start) => start()), ...ARRIVALS.map((_, i) => client(i + 1, handle))];
  await clock.runAll();
  await Promise.all(tasks);
}

console.log(`Rendering takes ${RENDER_MS} ms, one report at a time. Clients give up after ${CLIENT_TIMEOUT_MS} ms.`);

// --- A. inline -----------------------------------------------------------------
console.log("\n== A. inline: render the report, then answer ==");
{
  const renderer = new Renderer();
  await run(async ({ client, attempt }) => {
    await renderer.render();
    if (abandoned.has(`${client}/${attempt}`)) log("server", `finished client ${client}'s report: nobody is waiting for it`);
    return { status: 200 };
  });
  console.log(`renders: ${renderer.renders} for 4 reports`);
}

// --- B and C. queued -------------------------------------------------------------
async function queued(workerNames: string[]): Promise<void> {
  clock = new FakeClock();
  const waiting: number[] = [];
  const idle: Array<() => void> = [];
  const renderers = workerNames.map(() => new Renderer());
  let nextId = 1;
  let finished = 0;

  const handle: Handler = async () => {
    await clock.sleep(ENQUEUE_MS); // the only work left in the request: one write
    const id = nextId++;
    waiting.push(id);
    idle.shift()?.(); // wake one idle worker
    return { status: 202, location: `/jobs/${id}` };
  };

  const worker = (name: string, renderer: Renderer) => async () => {
    while (finished < ARRIVALS.length) {
      const id = waiting.shift();
      if (id === undefined) {
        await new Promise<void>((wake) => idle.push(wake));
        continue;
      }
      await renderer.render();
      finished++;
      log(name, `job ${id} completed`);
    }
    idle.splice(0).forEach((wake) => wake()); // let idle colleagues notice we are done
  };

  await run(handle, workerNames.map((name, i) => worker(name, renderers[i]!)));
  const renders = renderers.reduce((sum, r) => sum + r.renders, 0);
  console.log(`renders: ${renders} for 4 reports; the last one was ready at t=${clock.now()}`);
}

console.log("\n== B. enqueue, answer 202, one worker renders ==");
await queued(["worker"]);

console.log("\n== C. the same requests, two workers ==");
await queued(["worker-a", "worker-b"]);
