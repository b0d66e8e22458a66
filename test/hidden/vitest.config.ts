// Runs hidden tests by hand: npx vitest run --config test/hidden/vitest.config.ts test/hidden/<phase>/<lesson>
// The runner builds the same settings in code (runner/grading) for check, verify and grade.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/hidden/**/*.test.ts"],
    testTimeout: 10_000,
    pool: "forks",
    setupFiles: ["test/hidden/_harness/setup.ts"],
  },
});
