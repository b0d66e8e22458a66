// A throwaway Redis for one run: an empty server on a free loopback port,
// no persistence, stopped when the run ends (or a signal stops the run).

import { spawn } from "node:child_process";
import { cleanUpOnSignal } from "../interrupt.ts";
import { INSTALL, ServiceUnavailable, START_TIMEOUT_MS, waitForPort, freePort, which, stopProcess } from "./server.ts";

export async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const binary = which("redis-server");
  if (!binary) throw new ServiceUnavailable(INSTALL.redis);
  const port = await freePort();
  const child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"], { stdio: "ignore" });
  const forget = cleanUpOnSignal(() => stopProcess(child));
  const alive = () => child.exitCode === null && child.signalCode === null;
  try {
    await waitForPort("127.0.0.1", port, START_TIMEOUT_MS, alive);
  } catch {
    forget();
    await stopProcess(child, "SIGKILL");
    throw new ServiceUnavailable(`redis-server did not start on port ${port}; try running \`${binary} --port ${port}\` by hand to see why, or set REDIS_URL`);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => {
      forget();
      return stopProcess(child);
    },
  };
}
