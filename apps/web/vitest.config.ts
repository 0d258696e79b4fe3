import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      // "server-only" throws outside React server bundles; tests run server modules directly.
      "server-only": fileURLToPath(new URL("./node_modules/server-only/empty.js", import.meta.url)),
      "@/": fileURLToPath(new URL("./src/", import.meta.url)),
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    // One embedded PostgreSQL per run for the server tests (or DATABASE_URL's server).
    globalSetup: ["@cairn/db/vitest-global-setup"],
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
