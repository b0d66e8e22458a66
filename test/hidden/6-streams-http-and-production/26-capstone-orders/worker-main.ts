// queuecraft:hidden-or-solution — never in a student edition
// A worker process for the hidden tests: the course's worker loop (lesson
// folder, worker.ts) running the candidate's migrate/processOrder. Fault
// injection comes from environment variables, see startFromEnv.
import { pathToFileURL } from "node:url";
import { candidatePath } from "../../_harness/candidate.ts";
import { startFromEnv, type OrderStep } from "../../../../lessons/6-streams-http-and-production/26-capstone-orders/worker.ts";

const step = (await import(pathToFileURL(candidatePath(import.meta.url)).href)) as OrderStep;
await startFromEnv(step);
