/**
 * The chaincode as a service: the CCaaS package (metadata.json + code.tar.gz holding
 * connection.json), its package id, and the server process that both peers dial.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./env";
import type { Layout } from "./layout";
import { run, type DaemonSpec } from "./proc";
import { CHAINCODE_LABEL, HOST } from "./topology";

/** The bundle `pnpm --filter @cairn/chaincode build` writes; CAIRN_FABRIC_CHAINCODE_BUNDLE overrides it. */
export function chaincodeBundle(env: NodeJS.ProcessEnv = process.env): string {
  return env.CAIRN_FABRIC_CHAINCODE_BUNDLE ?? join(REPO_ROOT, "chaincode/dist/index.cjs");
}

/** Builds the chaincode bundle (esbuild, ~1 s) so the network always serves the current contracts. */
export async function buildChaincode(bundle: string): Promise<void> {
  if (!process.env.CAIRN_FABRIC_CHAINCODE_BUNDLE) {
    await run("pnpm", ["--filter", "@cairn/chaincode", "build"], { cwd: REPO_ROOT });
  }
  if (!existsSync(bundle)) {
    throw new Error(`chaincode bundle ${bundle} is missing after the build (pnpm --filter @cairn/chaincode build)`);
  }
}

/** Writes the CCaaS package and returns its package id (label:sha256 of the package file). */
export async function packageChaincode(lay: Layout, chaincodePort: number): Promise<string> {
  const dir = lay.chaincode.pkgDir;
  mkdirSync(join(dir, "code"), { recursive: true });
  writeFileSync(
    join(dir, "code", "connection.json"),
    JSON.stringify({ address: `${HOST}:${chaincodePort}`, dial_timeout: "10s", tls_required: false }),
  );
  writeFileSync(join(dir, "metadata.json"), JSON.stringify({ type: "ccaas", label: CHAINCODE_LABEL }));
  const tarEnv = { GZIP: "-n" };
  const fixed = ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0"];
  await run("tar", ["-czf", join(dir, "code.tar.gz"), ...fixed, "-C", join(dir, "code"), "connection.json"], { env: tarEnv });
  await run("tar", ["-czf", lay.chaincode.pkgFile, ...fixed, "-C", dir, "metadata.json", "code.tar.gz"], { env: tarEnv });
  const digest = createHash("sha256").update(readFileSync(lay.chaincode.pkgFile)).digest("hex");
  return `${CHAINCODE_LABEL}:${digest}`;
}

/** fabric-chaincode-node loads the module named by package.json "main" in --module-path. */
export function chaincodeServer(lay: Layout, bundle: string, packageId: string, port: number): DaemonSpec {
  mkdirSync(lay.chaincode.moduleDir, { recursive: true });
  writeFileSync(
    join(lay.chaincode.moduleDir, "package.json"),
    JSON.stringify({ name: "cairn-chaincode-server", version: "1.0.0", main: bundle }),
  );
  return {
    name: "chaincode",
    cmd: join(REPO_ROOT, "chaincode/node_modules/.bin/fabric-chaincode-node"),
    args: [
      "server",
      "--chaincode-address",
      `${HOST}:${port}`,
      "--chaincode-id",
      packageId,
      "--module-path",
      lay.chaincode.moduleDir,
    ],
    // NODE_PATH: a bundle outside chaincode/ (CAIRN_FABRIC_CHAINCODE_BUNDLE) still finds fabric-shim.
    env: { CORE_CHAINCODE_LOGGING_LEVEL: "warning", NODE_PATH: join(REPO_ROOT, "chaincode/node_modules") },
    cwd: lay.chaincode.moduleDir,
  };
}
