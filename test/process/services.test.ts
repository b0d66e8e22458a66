import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { processAlive } from "../../runner/process/sandbox.ts";
import { cli, cliAsync, fixtures, repo } from "../cli/run-cli.ts";

const outcomes = path.join(fixtures, "outcomes");

/** A PATH that has node and nothing else: as on a machine without Redis installed. */
function pathWithOnlyNode(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "qc-path-"));
  symlinkSync(process.execPath, path.join(dir, "node"));
  return dir;
}

/** A temp folder for PostgreSQL's clusters, removed after `body`; as root the server runs as the postgres user, which must reach it. */
async function inClusterFolder(body: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "qc-pg-"));
  chmodSync(tmp, 0o755);
  try {
    await body(tmp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

describe("lessons that need a server", () => {
  test("Redis: a throwaway redis-server is started for the run and stopped after", () => {
    const run = cli(["lesson", "needs-redis", "--quiet"], { root: outcomes });
    expect(run.stdout).toContain("+PONG");
    expect(run.status).toBe(0);
  });

  test("PostgreSQL: a server is started for the run and stopped after", () => {
    const run = cli(["lesson", "needs-postgres", "--quiet"], { root: outcomes });
    expect(run.stdout).toContain("answer: 42");
    expect(run.status).toBe(0);
  });

  test("PostgreSQL: the cluster is kept between runs; runs at once each get a server; none is left running", () =>
    inClusterFolder(async (tmp) => {
      const runs = await Promise.all([0, 1, 2].map(() => cliAsync(["lesson", "needs-postgres", "--quiet"], { root: outcomes, env: { TMPDIR: tmp } })));
      for (const run of runs) {
        expect(run.stdout).toContain("answer: 42");
        expect(run.status).toBe(0);
      }
      const kept = readdirSync(tmp).filter((name) => /^queuecraft-pg-[^-]+-[0-9a-f]{8}$/.test(name));
      expect(kept, "one shared cluster, made once").toHaveLength(1);
      expect(existsSync(path.join(tmp, kept[0]!, "data", "PG_VERSION"))).toBe(true);
      expect(readdirSync(tmp).filter((name) => name.startsWith("queuecraft-pg-") && !kept.includes(name)), "throwaway clusters are removed").toEqual([]);
      expect(spawnSync("pgrep", ["-f", `postgres -D ${tmp}`]).status, "no server left running").toBe(1);
      const again = await cliAsync(["lesson", "needs-postgres", "--quiet"], { root: outcomes, env: { TMPDIR: tmp } });
      expect(again.status).toBe(0);
    }));

  test("a configured server that refuses connections: one clear line within 2 s, exit 1", () => {
    for (const [lesson, variable] of [["needs-redis", "REDIS_URL"], ["needs-postgres", "DATABASE_URL"]] as const) {
      const url = variable === "REDIS_URL" ? "redis://127.0.0.1:1" : "postgres://postgres@127.0.0.1:1/postgres";
      const started = Date.now();
      const run = cli(["lesson", lesson, "--quiet"], { root: outcomes, env: { [variable]: url } });
      expect(Date.now() - started, "must not hang").toBeLessThan(10_000);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`${variable}=${url} does not answer (ECONNREFUSED)`);
    }
  });

  test("Redis not installed: says how to get it, exit 1, never hangs", () => {
    const run = cli(["lesson", "needs-redis", "--quiet"], { root: outcomes, env: { PATH: pathWithOnlyNode(), REDIS_URL: "" } });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("this lesson needs Redis: install it (`sudo apt-get install redis-server`");
  });

  /** Starts the fixture lesson that runs until stopped, and waits for the redis-server and PostgreSQL it starts. */
  async function runWithServers(tmp: string) {
    const env = { ...process.env, CI: "true", QUEUECRAFT_ROOT: outcomes, QUEUECRAFT_WORKSPACE: mkdtempSync(path.join(os.tmpdir(), "qc-cli-")), TMPDIR: tmp };
    const run = spawn(process.execPath, [path.join(repo, "runner", "bin.mjs"), "lesson", "stopped-by-a-signal", "--quiet"], { env, stdio: "ignore" });
    const ended = new Promise((resolve) => run.once("exit", (code, signal) => resolve(signal ?? code)));
    const serversOf = (pid: number) =>
      spawnSync("ps", ["-o", "pid=,comm=", "--ppid", String(pid)], { encoding: "utf8" })
        .stdout.split("\n")
        .map((line) => line.trim().split(/\s+/))
        .filter(([, command]) => command === "redis-server" || command === "postgres")
        .map(([pid, command]) => ({ pid: Number(pid), command: command! }));
    let servers: Array<{ pid: number; command: string }> = [];
    for (const deadline = Date.now() + 30_000; servers.length < 2 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      servers = serversOf(run.pid!);
    }
    expect(servers.map((server) => server.command).sort(), "the run starts a redis-server and a PostgreSQL").toEqual(["postgres", "redis-server"]);
    return { run, ended, servers };
  }

  test("a run stopped by a signal (kill, timeout, a cancelled CI job) stops the servers it started first", () =>
    inClusterFolder(async (tmp) => {
      const { run, ended, servers } = await runWithServers(tmp);
      run.kill("SIGTERM");
      expect(await ended, "it still dies of the signal").toBe("SIGTERM");
      expect(servers.filter((server) => processAlive(server.pid)), "no server outlives the run").toEqual([]);
    }), 60_000);

  test("two runs at once stopped by a signal: the one on a throwaway cluster removes it too", () =>
    inClusterFolder(async (tmp) => {
      const runs = await Promise.all([runWithServers(tmp), runWithServers(tmp)]);
      const throwaway = () => readdirSync(tmp).filter((name) => /^queuecraft-pg-[A-Za-z0-9]{6}$/.test(name));
      expect(throwaway(), "the kept cluster serves one run; the other gets a throwaway one").toHaveLength(1);
      for (const { run } of runs) run.kill("SIGTERM");
      // Killed while it still talks to its PostgreSQL (creating its database), a run once died of the client's "error" event instead.
      for (const { ended } of runs) expect(await ended, "each dies of the signal, not of an error on the way").toBe("SIGTERM");
      expect(runs.flatMap(({ servers }) => servers).filter((server) => processAlive(server.pid)), "no server outlives its run").toEqual([]);
      expect(throwaway(), "the throwaway cluster is removed").toEqual([]);
    }), 60_000);

  test("a PostgreSQL left on the kept cluster by a run killed with SIGKILL is stopped by the next run, which takes the cluster", () =>
    inClusterFolder(async (tmp) => {
      const { run, ended, servers } = await runWithServers(tmp);
      run.kill("SIGKILL");
      await ended;
      const postgres = servers.find((server) => server.command === "postgres")!.pid;
      const redis = servers.find((server) => server.command === "redis-server")!.pid;
      try {
        expect(processAlive(postgres), "nothing can stop it from a SIGKILLed run").toBe(true);
        const next = await cliAsync(["lesson", "needs-postgres", "--quiet"], { root: outcomes, env: { TMPDIR: tmp } });
        expect(next.stdout).toContain("answer: 42");
        expect(processAlive(postgres), "the orphan was stopped").toBe(false);
        expect(readdirSync(tmp).filter((name) => name.startsWith("queuecraft-pg-")), "the kept cluster only: no throwaway one was needed").toHaveLength(1);
      } finally {
        process.kill(redis, "SIGKILL");
        if (processAlive(postgres)) process.kill(postgres, "SIGINT");
      }
    }), 60_000);
});
