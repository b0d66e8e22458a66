// queuecraft:hidden-or-solution — never in a student edition
// Forces the interleavings that real processes hit only when the scheduler
// says so: a hook on better-sqlite3's Statement.prototype runs test code right
// before or right after the n-th statement the candidate executes inside
// `body`, for example another connection claiming the job the candidate has
// just read. Transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT,
// RELEASE) and PRAGMAs are not counted, so "the n-th statement" means the
// n-th statement that reads or writes data; statements the hook itself runs
// are not counted either.
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

/** What a hook sees of the statement: its SQL and the connection it runs on. */
export interface StatementInfo {
  source: string;
  database: Database.Database;
}

export type StatementHook = (n: number, when: "before" | "after", statement: StatementInfo) => void;

export type Hooked<T> = { statements: number } & ({ threw: false; value: T } | { threw: true; error: unknown });

/**
 * Runs `body` with `hook` called before and after every data statement (1, 2,
 * 3, ...) that runs while it does. Returns what body returned or threw and
 * how many data statements ran. A hook that throws in "before" makes that
 * statement fail (it never reaches SQLite), as a disk error would.
 */
export function withStatementHook<T>(hook: StatementHook, body: () => T): Hooked<T> {
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
      if (inHook > 0 || CONTROL.test(this.source)) return originals[method].apply(this, args);
      const n = ++statements;
      call("before", n, this);
      const result = originals[method].apply(this, args);
      call("after", n, this);
      return result;
    };
  }
  try {
    const value = body();
    return { statements, threw: false, value };
  } catch (error) {
    return { statements, threw: true, error };
  } finally {
    Object.assign(statementPrototype, originals);
  }
}

/** The error a "before" hook throws to make a statement fail. */
export function injectedFailure(): Error {
  return Object.assign(new Error("disk I/O error (the test made this statement fail)"), { code: "SQLITE_IOERR" });
}
