// Provides the servers a lesson declares in `services`. A configured server
// (REDIS_URL, DATABASE_URL) is checked to answer within two seconds; otherwise
// an installed binary is started as a throwaway instance on a free loopback
// port; otherwise the learner gets one line saying how to get it. Never hangs.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Service } from "./frontmatter.ts";

export class ServiceUnavailable extends Error {}

export interface RunningServices {
  /** Variables to hand to experiments and hidden tests. */
  env: Record<string, string>;
  /** What was started, for a one-line note. */
  started: string[];
  stop(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 2000;
const START_TIMEOUT_MS = 15_000;

const INSTALL: Record<Service, string> = {
  redis: "this lesson needs Redis: install it (`sudo apt-get install redis-server`, or `brew install redis`) or set REDIS_URL=redis://host:port",
  postgres: "this lesson needs PostgreSQL: install it (`sudo apt-get install postgresql`, or `brew install postgresql`) or set DATABASE_URL=postgres://user@host:port/db",
};

const VARIABLE: Record<Service, "REDIS_URL" | "DATABASE_URL"> = { redis: "REDIS_URL", postgres: "DATABASE_URL" };

/** Resolves when host:port accepts a TCP connection; rejects after `timeoutMs`. */
export function waitForPort(host: string, port: number, timeoutMs: number, stillRunning: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = createConnection({ host, port });
      socket.setTimeout(Math.max(100, deadline - Date.now()));
      const retry = (error: Error) => {
        socket.destroy();
        if (Date.now() >= deadline || !stillRunning()) reject(error);
        else setTimeout(attempt, 50);
      };
      socket.once("connect", () => {
        socket.end();
        resolve();
      });
      socket.once("timeout", () => retry(new Error("timed out")));
      socket.once("error", retry);
    };
    attempt();
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function which(binary: string, extraDirs: string[] = []): string | undefined {
  for (const dir of [...(process.env.PATH ?? "").split(path.delimiter), ...extraDirs]) {
    const candidate = path.join(dir, binary);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Debian keeps PostgreSQL's server binaries off PATH. */
function postgresBinDirs(): string[] {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return [];
  return readdirSync(base).sort().reverse().map((version) => path.join(base, version, "bin"));
}

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

function stopProcess(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}

async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const binary = which("redis-server");
  if (!binary) throw new ServiceUnavailable(INSTALL.redis);
  const port = await freePort();
  const child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"], { stdio: "ignore" });
  const alive = () => child.exitCode === null && child.signalCode === null;
  try {
    await waitForPort("127.0.0.1", port, START_TIMEOUT_MS, alive);
  } catch {
    await stopProcess(child, "SIGKILL");
    throw new ServiceUnavailable(`redis-server did not start on port ${port}; try running \`${binary} --port ${port}\` by hand to see why, or set REDIS_URL`);
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => stopProcess(child) };
}

async function startPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dirs = postgresBinDirs();
  const initdb = which("initdb", dirs);
  const postgres = which("postgres", dirs);
  if (!initdb || !postgres) throw new ServiceUnavailable(INSTALL.postgres);
  const dir = mkdtempSync(path.join(os.tmpdir(), "queuecraft-pg-"));
  // PostgreSQL refuses to run as root; as root, run it as the `postgres` user the package creates.
  const asUser = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (process.getuid?.() === 0 && !asUser) throw new ServiceUnavailable("PostgreSQL will not run as root and there is no `postgres` user: create one, or set DATABASE_URL");
  if (asUser) chownSync(dir, asUser.uid, asUser.gid);
  const data = path.join(dir, "data");
  // Not spawnSync: a Redis started alongside must not wait for initdb.
  const init = await new Promise<{ ok: boolean; why: string }>((resolve) => {
    const child = spawn(initdb, ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"], { stdio: ["ignore", "ignore", "pipe"], timeout: 60_000, ...(asUser ?? {}) });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) => resolve({ ok: false, why: error.message }));
    child.on("close", (code) => resolve({ ok: code === 0, why: stderr }));
  });
  if (!init.ok) {
    rmSync(dir, { recursive: true, force: true });
    throw new ServiceUnavailable(`initdb failed: ${init.why.trim().split("\n")[0]}; or set DATABASE_URL`);
  }
  const port = await freePort();
  const child = spawn(postgres, ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"], {
    stdio: "ignore",
    ...(asUser ?? {}),
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    // SIGINT is PostgreSQL's "fast shutdown": roll back and exit now.
    await stopProcess(child, "SIGINT");
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort("127.0.0.1", port, START_TIMEOUT_MS, alive);
    await waitForPostgresReady(port);
  } catch {
    await stop();
    throw new ServiceUnavailable(`PostgreSQL did not start on port ${port}; set DATABASE_URL to use a server of yours`);
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}

/** The port opens a moment before the server accepts logins ("the database system is starting up"). */
async function waitForPostgresReady(port: number): Promise<void> {
  const { default: pg } = await import("pg");
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres", connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function postgresUser(): { uid: number; gid: number } | undefined {
  const result = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const group = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (result.status !== 0 || group.status !== 0) return undefined;
  return { uid: Number(result.stdout.trim()), gid: Number(group.stdout.trim()) };
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
