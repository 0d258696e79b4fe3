import { defineConfig } from "vitest/config";

/** Cross-app audit tests: `npx vitest run -c tests/audit/vitest.config.ts` (real PostgreSQL, embedded ledger). */
export default defineConfig({
  test: {
    root: import.meta.dirname,
    globalSetup: ["@cairn/db/vitest-global-setup"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // Lets the memory test force a collection before sampling the heap.
    execArgv: ["--expose-gc"],
  },
});
