import { fileURLToPath } from "node:url";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/**
 * The files share one network, and audit.test.ts asserts the chain's log starts
 * empty: run it first; verify.test.ts (which adopts whatever log exists) last.
 */
class NetworkOrder extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) =>
      f.moduleId.endsWith("audit.test.ts") ? 0 : f.moduleId.endsWith("verify.test.ts") ? 2 : 1;
    return Promise.resolve([...files].sort((a, b) => rank(a) - rank(b)));
  }
}

// The Fabric suite: a real network (orderer, two peers, chaincode server) started by
// global-setup.ts and stopped afterwards. Files run one after another: they share it.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: {
    include: ["**/*.test.ts"],
    globalSetup: ["./global-setup.ts"],
    fileParallelism: false,
    sequence: { sequencer: NetworkOrder },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
