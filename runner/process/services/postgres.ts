// A throwaway PostgreSQL database for one run. initdb takes a second, so the
// cluster is made once and kept in the temp folder; each run gets a database of
// its own in it, dropped when the run ends. A second run while the cluster is
// in use gets a throwaway cluster; a server left on the kept cluster by a run
// killed outright is stopped by the next run, which takes the cluster back.

import os from "node:os";
import path from "node:path";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { spawn, spawnSync } from "node:child_process";
import { cleanUpOnSignal } from "../interrupt.ts";
import { processAlive } from "../sandbox.ts";
import { CONNECT_TIMEOUT_MS, INSTALL, ServiceUnavailable, START_TIMEOUT_MS, waitForPort, freePort, which, stopProcess } from "./server.ts";

/** Debian keeps PostgreSQL's server binaries off PATH. */
export function postgresBinDirs(): string[] {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return [];
  return readdirSync(base).sort().reverse().map((version) => path.join(base, version, "bin"));
}

/** Runs initdb into `data` (not spawnSync: a Redis started alongside must not wait for it). */
async function initCluster(initdb: string, data: string, asUser: { uid: number; gid: number } | undefined): Promise<void> {
  const init = await new Promise<{ ok: boolean; why: string }>((resolve) => {
    const child = spawn(initdb, ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"], { stdio: ["ignore", "ignore", "pipe"], timeout: 60_000, ...(asUser ?? {}) });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) => resolve({ ok: false, why: error.message }));
    child.on("close", (code) => resolve({ ok: code === 0, why: stderr }));
  });
  if (!init.ok) throw new ServiceUnavailable(`initdb failed: ${init.why.trim().split("\n")[0]}; or set DATABASE_URL`);
}

/** A folder the server may own: PostgreSQL refuses to run as root, so as root it runs as the `postgres` user. */
function serverFolder(prefix: string, asUser: { uid: number; gid: number } | undefined): string {
  const dir = mkdtempSync(prefix);
  if (asUser) chownSync(dir, asUser.uid, asUser.gid);
  return dir;
}

/** Starts a server on the cluster in `home`/data, its socket in `home`; resolves once it accepts logins. */
async function startCluster(
  postgres: string,
  home: string,
  asUser: { uid: number; gid: number } | undefined,
  onSpawned?: (serverPid: number) => void,
): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(postgres, ["-D", path.join(home, "data"), "-p", String(port), "-k", home, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"], {
    stdio: "ignore",
    ...(asUser ?? {}),
  });
  if (child.pid !== undefined) onSpawned?.(child.pid);
  const alive = () => child.exitCode === null && child.signalCode === null;
  // SIGINT is PostgreSQL's "fast shutdown": roll back and exit now.
  const forget = cleanUpOnSignal(() => stopProcess(child, "SIGINT"));
  const stop = () => {
    forget();
    return stopProcess(child, "SIGINT");
  };
  try {
    await waitForPort("127.0.0.1", port, START_TIMEOUT_MS, alive);
    await waitForPostgresReady(port);
  } catch {
    await stop();
    throw new ServiceUnavailable(`PostgreSQL did not start on port ${port}; set DATABASE_URL to use a server of yours`);
  }
  return { port, stop };
}

/** Runs `work` on a connection to the cluster's own `postgres` database, as its superuser. */
async function withAdmin<T>(port: number, work: (client: import("pg").Client, pg: typeof import("pg").default) => Promise<T>): Promise<T> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres", connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A server that goes away mid-query (a signal is stopping this run) fails the query; without a
  // listener, the connection's own "error" event would also crash the runner with a stack trace.
  client.on("error", () => {});
  try {
    await client.connect();
    return await work(client, pg);
  } finally {
    await client.end().catch(() => {});
  }
}

const RUN_DATABASE_PREFIX = "queuecraft_run_";

/** Beside the kept cluster: "<run pid> <server pid>", written by the run that started the server. */
const RUN_FILE = "run.pid";

/**
 * A server already running on the kept cluster is another run's, unless the
 * run that started it is gone (killed with SIGKILL: nothing could stop its
 * servers). Such an orphan is stopped, or it would hold the cluster for good
 * and send every later run to a throwaway one (a second more each). Only a
 * server named in the run file counts as an orphan: one started a moment ago,
 * whose run has not written that file yet, is never touched.
 */
async function stopOrphanedServer(home: string): Promise<void> {
  const lock = path.join(home, "data", "postmaster.pid");
  const server = existsSync(lock) ? Number(readFileSync(lock, "utf8").split("\n")[0]) : 0;
  if (!server || !processAlive(server)) return;
  const [run, named] = (existsSync(path.join(home, RUN_FILE)) ? readFileSync(path.join(home, RUN_FILE), "utf8") : "").trim().split(" ").map(Number);
  if (named !== server || !run || processAlive(run)) throw new ServiceUnavailable("the shared cluster is in use by another run");
  process.kill(server, "SIGINT");
  for (const deadline = Date.now() + 5_000; processAlive(server); ) {
    if (Date.now() > deadline) throw new ServiceUnavailable("a server left by a killed run does not stop");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * initdb takes a second or more; starting a server on an existing cluster a
 * tenth of that. So one cluster is kept per user and PostgreSQL build in the
 * temp folder, and every run gets a database of its own in it, dropped when
 * the run stops (and at the next start, if the run was killed). Only one
 * server can own a cluster: when it is in use, or cannot be made, the run
 * falls back to a throwaway cluster of its own.
 */
async function startOnSharedCluster(initdb: string, postgres: string, asUser: { uid: number; gid: number } | undefined): Promise<{ url: string; stop: () => Promise<void> }> {
  const home = path.join(os.tmpdir(), `queuecraft-pg-${process.getuid?.() ?? "user"}-${createHash("sha1").update(postgres).digest("hex").slice(0, 8)}`);
  if (!existsSync(path.join(home, "data", "PG_VERSION"))) {
    // Made beside and renamed into place, so two runs initialising at once never share a half-made cluster.
    const fresh = serverFolder(`${home}-init-`, asUser);
    try {
      await initCluster(initdb, path.join(fresh, "data"), asUser);
      renameSync(fresh, home);
    } catch (error) {
      rmSync(fresh, { recursive: true, force: true });
      // Another run renamed its cluster into place first: use that one.
      if (!existsSync(path.join(home, "data", "PG_VERSION"))) throw error;
    }
  }
  await stopOrphanedServer(home);
  const server = await startCluster(postgres, home, asUser, (serverPid) => {
    try {
      writeFileSync(path.join(home, RUN_FILE), `${process.pid} ${serverPid}\n`);
    } catch {
      // Only that, if this run is killed outright, the next cannot tell its server is an orphan.
    }
  });
  const database = `${RUN_DATABASE_PREFIX}${process.pid}_${randomBytes(4).toString("hex")}`;
  try {
    await withAdmin(server.port, async (client, pg) => {
      // Left by runs that were killed before they could drop theirs.
      const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [`${RUN_DATABASE_PREFIX}%`]);
      for (const { datname } of rows) await client.query(`DROP DATABASE ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
    });
  } catch (error) {
    await server.stop();
    throw new ServiceUnavailable(`PostgreSQL started but a database could not be created (${(error as Error).message}); set DATABASE_URL to use a server of yours`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${server.port}/${database}`,
    stop: async () => {
      await withAdmin(server.port, (client, pg) => client.query(`DROP DATABASE ${pg.escapeIdentifier(database)} WITH (FORCE)`)).catch(() => {});
      await server.stop();
    },
  };
}

/** A cluster of this run's own, removed when it stops. */
async function startOnThrowawayCluster(initdb: string, postgres: string, asUser: { uid: number; gid: number } | undefined): Promise<{ url: string; stop: () => Promise<void> }> {
  const home = serverFolder(path.join(os.tmpdir(), "queuecraft-pg-"), asUser);
  const remove = () => rmSync(home, { recursive: true, force: true });
  let forget = cleanUpOnSignal(remove);
  try {
    await initCluster(initdb, path.join(home, "data"), asUser);
    const server = await startCluster(postgres, home, asUser);
    const stop = async () => {
      forget();
      await server.stop(); // the folder goes once the server is down
      remove();
    };
    forget();
    forget = cleanUpOnSignal(stop);
    return { url: `postgres://postgres@127.0.0.1:${server.port}/postgres`, stop };
  } catch (error) {
    forget();
    remove();
    throw error;
  }
}

export async function startPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dirs = postgresBinDirs();
  const initdb = which("initdb", dirs);
  const postgres = which("postgres", dirs);
  if (!initdb || !postgres) throw new ServiceUnavailable(INSTALL.postgres);
  const asUser = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (process.getuid?.() === 0 && !asUser) throw new ServiceUnavailable("PostgreSQL will not run as root and there is no `postgres` user: create one, or set DATABASE_URL");
  try {
    return await startOnSharedCluster(initdb, postgres, asUser);
  } catch {
    return startOnThrowawayCluster(initdb, postgres, asUser);
  }
}

/** The port opens a moment before the server accepts logins ("the database system is starting up"). */
async function waitForPostgresReady(port: number): Promise<void> {
  const { default: pg } = await import("pg");
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres", connectionTimeoutMillis: 1000 });
    client.on("error", () => {}); // see withAdmin
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
