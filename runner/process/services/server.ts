// What starting any throwaway server needs: a free loopback port, waiting
// until it accepts connections, finding its binary, stopping it, and the one
// error a missing or silent server becomes.

import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import path from "node:path";
import type { Service } from "../../course/frontmatter.ts";

export class ServiceUnavailable extends Error {}

/** How long a configured server, or the admin connection to ours, may take to answer. */
export const CONNECT_TIMEOUT_MS = 2000;
export const START_TIMEOUT_MS = 15_000;

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

export function which(binary: string, extraDirs: string[] = []): string | undefined {
  for (const dir of [...(process.env.PATH ?? "").split(path.delimiter), ...extraDirs]) {
    const candidate = path.join(dir, binary);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
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

/** The one-line fix for a service that is not installed. */
export const INSTALL: Record<Service, string> = {
  redis: "this lesson needs Redis: install it (`sudo apt-get install redis-server`, or `brew install redis`) or set REDIS_URL=redis://host:port",
  postgres: "this lesson needs PostgreSQL: install it (`sudo apt-get install postgresql`, or `brew install postgresql`) or set DATABASE_URL=postgres://user@host:port/db",
};
