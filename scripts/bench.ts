/**
 * `pnpm bench <name>`: runs one benchmark. Each reports a ratio against a baseline
 * measured in the same run and writes its section of BENCHMARKS.md.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BENCHES: Record<string, string> = {
  crypto: "packages/crypto/bench/crypto.ts",
  verify: "packages/audit/bench/verify.ts",
  proofs: "packages/audit/bench/proofs.ts",
  anchor: "tests/fabric/bench/anchor.ts",
  relay: "tests/bench/relay.ts",
  connections: "tests/bench/connections.ts",
};

const name = process.argv[2];
const file = name ? BENCHES[name] : undefined;
if (!name || !file) {
  process.stderr.write(`usage: pnpm bench <${Object.keys(BENCHES).join("|")}>\n`);
  process.exit(2);
}
if (!existsSync(path.join(root, file))) {
  process.stderr.write(`benchmark ${name} (${file}) is not in this checkout\n`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ["--import", "tsx", file, ...process.argv.slice(3)], {
  cwd: root,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
