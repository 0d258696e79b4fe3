import { defineConfig } from "vitest/config";

/** Fault tests: crashes and outages around anchoring, on a real PostgreSQL and the embedded ledger. */
export default defineConfig({
  test: {
    root: import.meta.dirname,
    globalSetup: ["@cairn/db/vitest-global-setup"],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
