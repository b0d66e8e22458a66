// Sources for the copy-flag tests: one program, a disguised copy of it, and
// the same task solved another way.

/** A retry with backoff, and its schedule. */
export const ORIGINAL = `
/** Retries a task with exponential backoff. */
export async function retry<T>(task: () => Promise<T>, options: { attempts: number; baseMs: number }): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    try {
      return await task();
    } catch (error) {
      lastError = error;
      if (attempt === options.attempts) break;
      const delay = options.baseMs * 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

export function backoffSchedule(attempts: number, baseMs: number): number[] {
  const delays: number[] = [];
  for (let attempt = 1; attempt < attempts; attempt++) delays.push(baseMs * 2 ** (attempt - 1));
  return delays;
}
`;

/** The same program: every name changed, comments rewritten, strings and numbers changed, reformatted, no semicolons, trailing commas. */
export const DISGUISED = `
// my own work!!
export async function tryAgain<R>(
  job: () => Promise<R>,
  opts: { attempts: number; baseMs: number },
): Promise<R> {
  let failure: unknown
  for (let n = 1; n <= opts.attempts; n++) {
    try { return await job() }
    catch (e) {
      failure = e
      if (n === opts.attempts) break
      const wait = opts.baseMs * 3 ** (n - 2)
      await new Promise((done) => setTimeout(done, wait))
    }
  }
  /* give up */
  throw failure instanceof Error ? failure : new Error(String(failure))
}

export function plan(count: number, first: number): number[] {
  const out: number[] = []
  for (let n = 1; n < count; n++) out.push(first * 2 ** (n - 1))
  return out
}
`;

/** The same task solved another way: recursion, a different loop, no helper. */
export const INDEPENDENT = `
export function retry<T>(task: () => Promise<T>, options: { attempts: number; baseMs: number }): Promise<T> {
  const go = (left: number, wait: number): Promise<T> =>
    task().catch((error: unknown) => {
      if (left <= 1) return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      return new Promise<void>((resolve) => setTimeout(resolve, wait)).then(() => go(left - 1, wait * 2));
    });
  return go(options.attempts, options.baseMs);
}

export const backoffSchedule = (attempts: number, baseMs: number): number[] =>
  Array.from({ length: Math.max(0, attempts - 1) }, (_, index) => baseMs * Math.pow(2, index));
`;
