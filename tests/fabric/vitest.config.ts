import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The Fabric suite: a real network (orderer, two peers, chaincode server) started by
// global-setup.ts and stopped afterwards. Files run one after another: they share it.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: {
    include: ["**/*.test.ts"],
    globalSetup: ["./global-setup.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
