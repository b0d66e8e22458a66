// The vitest settings Stryker runs one challenge's hidden tests with (its
// vitest runner takes a config file, not settings). The same options as
// test/hidden/vitest.config.ts, narrowed to one lesson folder: Stryker would
// otherwise run every hidden test for every mutant, since the candidate is
// imported through a computed path that vitest's `related` cannot follow.
// The folder comes from QUEUECRAFT_MUTATION_FOLDER, set by the mutation command.
import { defineConfig } from "vitest/config";

const folder = process.env.QUEUECRAFT_MUTATION_FOLDER;
if (!folder) throw new Error("QUEUECRAFT_MUTATION_FOLDER is not set: run this through `npm run mutation <id>`");

export default defineConfig({
  // Inside Stryker's sandbox: never share vite's cache with a run in the checkout.
  cacheDir: ".queuecraft/cache/vite-mutation",
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: [`test/hidden/${folder}/*.test.ts`],
    testTimeout: 10_000,
    setupFiles: ["test/hidden/_harness/setup.ts", "runner/mutation/child-process-setup.ts"],
  },
});
