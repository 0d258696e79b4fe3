/**
 * Builds Fabric's peer, orderer, configtxgen, osnadmin and cryptogen from source with
 * the Go toolchain, at the pin in fabric/gomod/go.mod (a wrapper module: see
 * docs/fabric.md for why a plain `go install …@commit` does not work here).
 * Binaries are cached under fabric/.build/bin/<pin>/; a second run builds nothing.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./env";
import { progress } from "./progress";
import { run } from "./proc";

export const FABRIC_MODULE = "github.com/hyperledger/fabric";
export const TOOLS = ["peer", "orderer", "configtxgen", "osnadmin", "cryptogen"] as const;

const GOMOD_DIR = join(REPO_ROOT, "fabric/gomod");
const STAMP = ".complete";

export interface FabricBinaries {
  /** The pinned module version of github.com/hyperledger/fabric. */
  pin: string;
  binDir: string;
  /** Fabric's own sample core.yaml / orderer.yaml of the pinned source. */
  sampleConfigDir: string;
  cached: boolean;
  ms: number;
}

/**
 * Reads the pinned Fabric version from the wrapper go.mod.
 * @throws {Error} when the go.mod has no requirement on Fabric.
 */
export function fabricPin(): string {
  const gomod = readFileSync(join(GOMOD_DIR, "go.mod"), "utf8");
  const m = new RegExp(`^require ${FABRIC_MODULE.replace(/\./g, "\\.")} (\\S+)$`, "m").exec(gomod);
  if (!m?.[1]) throw new Error(`fabric/gomod/go.mod does not require ${FABRIC_MODULE}`);
  return m[1];
}

export function binDirFor(pin: string): string {
  return join(REPO_ROOT, "fabric/.build/bin", pin);
}

const goEnv = { GOFLAGS: "-buildvcs=false -mod=readonly", CGO_ENABLED: "0" };

/**
 * Returns the cached binaries, building them first when the cache is empty.
 * @throws {CommandError} when the Go toolchain fails (the message carries its output).
 */
export async function ensureFabricBinaries(opts: { quiet?: boolean } = {}): Promise<FabricBinaries> {
  const started = Date.now();
  const pin = fabricPin();
  const binDir = binDirFor(pin);
  const sampleConfigDir = join(binDir, "sampleconfig");
  if (existsSync(join(binDir, STAMP)) && TOOLS.every((t) => existsSync(join(binDir, t)))) {
    return { pin, binDir, sampleConfigDir, cached: true, ms: Date.now() - started };
  }
  rmSync(binDir, { recursive: true, force: true });
  mkdirSync(binDir, { recursive: true });
  const log = (s: string): void => {
    if (!opts.quiet) console.log(s);
  };
  log(`Building Fabric ${pin} (peer, orderer, configtxgen, osnadmin, cryptogen) into ${binDir}`);

  // 1. module downloads (a no-op when the Go module cache already has them)
  const required = (readFileSync(join(GOMOD_DIR, "go.mod"), "utf8").match(/^\s+\S+ v\S+( \/\/ indirect)?$/gm) ?? [])
    .length;
  const dl = progress("go modules", required + 1);
  await run("go", ["mod", "download", "-json"], {
    cwd: GOMOD_DIR,
    env: goEnv,
    onOutput: (s) => dl.tick((s.match(/"Path":/g) ?? []).length),
  });
  dl.stop();

  // 2. compile, counting packages as `go build -v` names them
  const pkgs = TOOLS.map((t) => `${FABRIC_MODULE}/cmd/${t}`);
  const deps = await run("go", ["list", "-deps", ...pkgs], { cwd: GOMOD_DIR, env: goEnv });
  const bar = progress("compiling", deps.trim().split("\n").length);
  const ldflags = `-X ${FABRIC_MODULE}/common/metadata.Version=${pin} -X ${FABRIC_MODULE}/common/metadata.CommitSHA=${pin.slice(-12)}`;
  await run("nice", ["-n", "10", "go", "build", "-v", "-trimpath", "-ldflags", ldflags, "-o", binDir + "/", ...pkgs], {
    cwd: GOMOD_DIR,
    env: goEnv,
    onOutput: (s) => bar.tick(s.split("\n").filter((l) => l.trim().length > 0).length),
  });
  bar.stop();

  // 3. Fabric's own sample configs of the same source, the base the network patches
  const info = JSON.parse(await run("go", ["list", "-m", "-json", FABRIC_MODULE], { cwd: GOMOD_DIR, env: goEnv })) as {
    Dir?: string;
  };
  if (!info.Dir) throw new Error(`go list did not report the source directory of ${FABRIC_MODULE}`);
  cpSync(join(info.Dir, "sampleconfig"), sampleConfigDir, { recursive: true });
  writeFileSync(join(binDir, STAMP), `${pin}\n${new Date().toISOString()}\n`);
  const ms = Date.now() - started;
  log(`Fabric binaries ready in ${(ms / 1000).toFixed(1)} s`);
  return { pin, binDir, sampleConfigDir, cached: false, ms };
}
