// A worker process running the naive step (see naive-step.ts); the experiment
// starts, kills and restarts it. Configuration: environment variables, see
// startFromEnv in worker.ts.
import { startFromEnv } from "./worker.ts";
import * as naiveStep from "./naive-step.ts";

await startFromEnv(naiveStep);
