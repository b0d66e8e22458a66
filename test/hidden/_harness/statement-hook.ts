// queuecraft:hidden-or-solution — never in a student edition
// Shared by the hidden tests of sqlite-queue, leases-stalled and the capstone.
// Forces the interleavings that real processes hit only when the scheduler
// says so: a hook on better-sqlite3's Statement.prototype runs test code right
// before or right after every statement the candidate executes while it is
// installed, for example a second attempt of the same job starting between
// the first attempt's read of its idempotency key and its write.
// Transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE) and
// PRAGMAs are not counted, nor are statements the hook itself runs, nor
// statements for which `counts` says no.
import Database from "better-sqlite3";

type Method = "run" | "get" | "all" | "iterate";
const METHODS: Method[] = ["run", "get", "all", "iterate"];
const CONTROL = /^\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)\b/i;

const statementPrototype = (() => {
  const probe = new Database(":memory:");
  const prototype = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<Method, (...args: unknown[]) => unknown>;
  probe.close();
  return prototype;
})();

/** What a hook sees of the statement: its SQL and the connection it runs on (the statement object itself). */
export interface StatementInfo {
  source: string;
  database: Database.Database;
}

export type StatementHook = (n: number, when: "before" | "after", statement: StatementInfo) => void;

export interface InstalledHook {
  /** How many counted statements have run so far. */
  statements(): number;
  uninstall(): void;
}

/**
 * Calls `hook` before and after every counted data statement (1, 2, 3, ...)
 * until uninstall(). A hook that throws in "before" makes that statement fail
 * (it never reaches SQLite), as a disk error would. One hook at a time.
 */
export function installStatementHook(hook: StatementHook, counts: (statement: StatementInfo) => boolean = () => true): InstalledHook {
  const originals = Object.fromEntries(METHODS.map((m) => [m, statementPrototype[m]])) as Record<Method, (...args: unknown[]) => unknown>;
  let statements = 0;
  let inHook = 0;
  const call = (when: "before" | "after", n: number, statement: StatementInfo) => {
    inHook++;
    try {
      hook(n, when, statement);
    } finally {
      inHook--;
    }
  };
  for (const method of METHODS) {
    statementPrototype[method] = function (this: StatementInfo, ...args: unknown[]) {
      if (inHook > 0 || CONTROL.test(this.source) || !counts(this)) return originals[method].apply(this, args);
      const n = ++statements;
      call("before", n, this);
      const result = originals[method].apply(this, args);
      call("after", n, this);
      return result;
    };
  }
  return {
    statements: () => statements,
    uninstall: () => void Object.assign(statementPrototype, originals),
  };
}

export type Hooked<T> = { statements: number } & ({ threw: false; value: T } | { threw: true; error: unknown });

/**
 * Runs `body` with `hook` called before and after every data statement (1, 2,
 * 3, ...) that runs while it does. Returns what body returned or threw and
 * how many data statements ran.
 */
export function withStatementHook<T>(hook: StatementHook, body: () => T): Hooked<T> {
  const installed = installStatementHook(hook);
  try {
    const value = body();
    return { statements: installed.statements(), threw: false, value };
  } catch (error) {
    return { statements: installed.statements(), threw: true, error };
  } finally {
    installed.uninstall();
  }
}

/** The error a "before" hook throws to make a statement fail. */
export function injectedFailure(): Error {
  return Object.assign(new Error("disk I/O error (the test made this statement fail)"), { code: "SQLITE_IOERR" });
}
