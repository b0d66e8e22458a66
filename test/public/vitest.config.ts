// Runs the public tests (worked examples) by hand:
//   npx vitest run --config test/public/vitest.config.ts test/public/<phase>/<lesson>
// Each grades the file named in QUEUECRAFT_CANDIDATES, else the reference
// solution, else (in a student edition) your workspace/<id>/challenge.ts.
// `npm run check <id>` runs the same tests with the runner's settings.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/public/**/*.test.ts"],
    testTimeout: 10_000,
    pool: "forks",
    setupFiles: ["test/harness/setup.ts"],
  },
});
