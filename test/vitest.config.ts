// The runner's own tests. Hidden tests (test/hidden) are run by `verify`, against
// stubs, solutions and mutants; fixtures are data for the tests here.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/unit/**/*.test.ts", "test/cli/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
