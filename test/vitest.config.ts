// The runner's own tests, one folder per part of the runner (test/course for
// runner/course, …). Hidden tests (test/hidden) are run by `verify`, against
// stubs, solutions and mutants, and public tests (test/public) by `check` and
// verify too; fixtures are data for the tests here.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/**/*.test.ts"],
    exclude: ["test/hidden/**", "test/public/**", "test/fixtures/**", "**/node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
