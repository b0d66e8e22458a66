// Provides the servers a lesson declares in `services`. A configured server
// (REDIS_URL, DATABASE_URL) is checked to answer within two seconds; otherwise
// an installed binary is started on a free loopback port (Redis empty,
// PostgreSQL with a database of the run's own, dropped afterwards); otherwise
// the learner gets one line saying how to get it. Never hangs.

import type { Service } from "../../course/frontmatter.ts";
import { CONNECT_TIMEOUT_MS, INSTALL, ServiceUnavailable, waitForPort, which } from "./server.ts";
import { startPostgres, postgresBinDirs } from "./postgres.ts";
import { startRedis } from "./redis.ts";

export interface RunningServices {
  /** Variables to hand to experiments and hidden tests. */
  env: Record<string, string>;
  /** What was started, for a one-line note. */
  started: string[];
  stop(): Promise<void>;
}



const VARIABLE: Record<Service, "REDIS_URL" | "DATABASE_URL"> = { redis: "REDIS_URL", postgres: "DATABASE_URL" };

async function checkConfigured(service: Service, url: string): Promise<void> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname || "127.0.0.1";
    port = Number(parsed.port) || (service === "redis" ? 6379 : 5432);
  } catch {
    throw new ServiceUnavailable(`${VARIABLE[service]}=${url} is not a URL; set it like ${service === "redis" ? "redis://127.0.0.1:6379" : "postgres://user@127.0.0.1:5432/db"}`);
  }
  try {
    await waitForPort(host, port, CONNECT_TIMEOUT_MS, () => false);
  } catch (error) {
    throw new ServiceUnavailable(`${VARIABLE[service]}=${url} does not answer (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): start that server, or unset ${VARIABLE[service]} to let the runner start a throwaway one`);
  }
}

/** Makes every listed service available, or throws ServiceUnavailable with the one-line fix. */
export async function provideServices(services: readonly Service[]): Promise<RunningServices> {
  const env: Record<string, string> = {};
  const started: string[] = [];
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    await Promise.all(stops.map((s) => s()));
  };
  try {
    // Side by side: PostgreSQL's initdb alone takes a second or more.
    const outcomes = await Promise.allSettled(
      [...new Set(services)].map(async (service) => {
        const variable = VARIABLE[service];
        const configured = process.env[variable];
        if (configured) {
          await checkConfigured(service, configured);
          env[variable] = configured;
          return;
        }
        const server = service === "redis" ? await startRedis() : await startPostgres();
        env[variable] = server.url;
        started.push(`${service} on ${new URL(server.url).port}`);
        stops.push(server.stop);
      }),
    );
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    if (failed) throw failed.reason;
  } catch (error) {
    await stop();
    throw error;
  }
  return { env, started, stop };
}

/** Why a service cannot be provided on this machine, without starting anything; undefined when it can. */
export function serviceMissing(service: Service): string | undefined {
  if (process.env[VARIABLE[service]]) return undefined;
  const found = service === "redis" ? which("redis-server") : which("initdb", postgresBinDirs()) && which("postgres", postgresBinDirs());
  return found ? undefined : INSTALL[service];
}
