/**
 * `fabric up | down | status`: Cairn's development network, run natively (no Docker).
 * One Raft orderer, one peer per organisation, TLS everywhere, the channel made with
 * the channel participation API, the chaincode served as a service and committed with
 * AND(Org1.peer, Org2.peer). See docs/fabric.md.
 *
 * Over 300 lines on purpose: bring-up is one ordered sequence of steps, each depending
 * on the files and processes of the one before, and reads best top to bottom; the
 * pieces it composes (binaries, configs, chaincode, processes) are their own modules.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFabricLedger, fabricConfigFromNetworkFile, type FabricNetworkFile } from "@cairn/ledger";
import { ensureFabricBinaries, type FabricBinaries } from "./build";
import { buildChaincode, chaincodeBundle, chaincodeServer, packageChaincode } from "./chaincode";
import { ordererEnv, peerAdminEnv, peerEnv, writeConfigtx, writeCryptoConfig, writePeerCoreYaml } from "./config";
import { readFabricEnv } from "./env";
import { layout, type Layout } from "./layout";
import { healthy, listDaemons, run, startDaemon, stopDaemon, waitFor } from "./proc";
import { CHAINCODE_NAME, CHAINCODE_VERSION, CHANNEL, HOST, topology, type Topology } from "./topology";

export const ENDORSEMENT_POLICY = "AND('Org1MSP.peer','Org2MSP.peer')";

interface Ctx {
  topo: Topology;
  lay: Layout;
  bins: FabricBinaries;
}

const bin = (c: Ctx, tool: string): string => join(c.bins.binDir, tool);

function timer(): (label: string) => void {
  const t0 = Date.now();
  let last = t0;
  return (label) => {
    const now = Date.now();
    console.log(`  ${label.padEnd(52)} ${((now - last) / 1000).toFixed(1).padStart(5)} s  (total ${((now - t0) / 1000).toFixed(1)} s)`);
    last = now;
  };
}

function ordererTlsArgs(c: Ctx): string[] {
  return [
    "-o",
    `${HOST}:${c.topo.orderer.port}`,
    "--ordererTLSHostnameOverride",
    `${c.topo.orderer.name}.${c.topo.orderer.domain}`,
    "--tls",
    "--cafile",
    c.lay.orderer.tlsCa,
  ];
}

async function createChannel(c: Ctx, step: (l: string) => void): Promise<void> {
  const cfgDir = c.lay.config;
  await run(bin(c, "cryptogen"), ["generate", "--config", join(cfgDir, "crypto-config.yaml"), "--output", c.lay.crypto]);
  step("crypto material (cryptogen)");
  await run(bin(c, "configtxgen"), ["-profile", "CairnChannel", "-outputBlock", c.lay.genesisBlock, "-channelID", CHANNEL], {
    env: { FABRIC_CFG_PATH: cfgDir, FABRIC_LOGGING_SPEC: "WARNING" },
  });
  step("channel genesis block (configtxgen)");
}

async function startOrderer(c: Ctx, step: (l: string) => void): Promise<void> {
  const o = c.topo.orderer;
  mkdirSync(c.lay.orderer.home, { recursive: true });
  startDaemon(
    { name: "orderer", cmd: bin(c, "orderer"), args: [], env: ordererEnv(c.topo, c.lay, c.bins.sampleConfigDir) },
    c.lay.pids,
    c.lay.logs,
  );
  await waitFor("orderer /healthz", () => healthy(o.operationsPort), 30_000);
  const tls = c.lay.orderer.tls;
  await run(bin(c, "osnadmin"), [
    "channel",
    "join",
    "--channelID",
    CHANNEL,
    "--config-block",
    c.lay.genesisBlock,
    "-o",
    `${HOST}:${o.adminPort}`,
    "--ca-file",
    c.lay.orderer.tlsCa,
    "--client-cert",
    join(tls, "server.crt"),
    "--client-key",
    join(tls, "server.key"),
  ]);
  step(`orderer up, channel '${CHANNEL}' joined (osnadmin)`);
}

async function startPeers(c: Ctx, step: (l: string) => void): Promise<void> {
  for (const p of c.lay.peers) {
    writePeerCoreYaml(c.bins.sampleConfigDir, p);
    mkdirSync(p.home, { recursive: true });
    startDaemon({ name: p.host, cmd: bin(c, "peer"), args: ["node", "start"], env: peerEnv(p) }, c.lay.pids, c.lay.logs);
  }
  await Promise.all(c.lay.peers.map((p) => waitFor(`${p.host} /healthz`, () => healthy(p.spec.operationsPort), 60_000)));
  step("peers up");
  await Promise.all(
    c.lay.peers.map((p) =>
      run(bin(c, "peer"), ["channel", "join", "-b", c.lay.genesisBlock], { env: peerAdminEnv(p) }),
    ),
  );
  step("peers joined the channel");
}

/**
 * Runs a transaction that goes through the orderer, retrying while the freshly
 * started Raft cluster has not elected its leader yet ("SERVICE_UNAVAILABLE -- no
 * Raft leader", seen a few hundred ms after the channel join on a busy machine).
 */
async function throughOrderer(submit: () => Promise<string>, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await submit();
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      if (!/no Raft leader|SERVICE_UNAVAILABLE/.test(text) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function deployChaincode(c: Ctx, step: (l: string) => void): Promise<string> {
  const bundle = chaincodeBundle();
  await buildChaincode(bundle);
  step("chaincode bundle built");
  const packageId = await packageChaincode(c.lay, c.topo.chaincodePort);
  await Promise.all(
    c.lay.peers.map((p) =>
      run(bin(c, "peer"), ["lifecycle", "chaincode", "install", c.lay.chaincode.pkgFile], { env: peerAdminEnv(p) }),
    ),
  );
  step("CCaaS package installed on both peers");
  startDaemon(chaincodeServer(c.lay, bundle, packageId, c.topo.chaincodePort), c.lay.pids, c.lay.logs);
  const common = [
    "--channelID",
    CHANNEL,
    "--name",
    CHAINCODE_NAME,
    "--version",
    CHAINCODE_VERSION,
    "--sequence",
    "1",
    "--signature-policy",
    ENDORSEMENT_POLICY,
    ...ordererTlsArgs(c),
  ];
  for (const p of c.lay.peers) {
    await throughOrderer(() =>
      run(bin(c, "peer"), ["lifecycle", "chaincode", "approveformyorg", ...common, "--package-id", packageId], {
        env: peerAdminEnv(p),
      }),
    );
  }
  step("approved by Org1 and Org2");
  const peerArgs = c.lay.peers.flatMap((p) => [
    "--peerAddresses",
    `${HOST}:${p.spec.port}`,
    "--tlsRootCertFiles",
    p.tlsCa,
  ]);
  const first = c.lay.peers[0];
  await throughOrderer(() =>
    run(bin(c, "peer"), ["lifecycle", "chaincode", "commit", ...common, ...peerArgs], { env: peerAdminEnv(first) }),
  );
  step(`chaincode committed, policy ${ENDORSEMENT_POLICY}`);
  return packageId;
}

function networkFile(c: Ctx, packageId: string): FabricNetworkFile {
  const [org1, org2] = c.lay.peers;
  return {
    version: 1,
    channel: CHANNEL,
    chaincode: CHAINCODE_NAME,
    pin: c.bins.pin,
    orderer: {
      endpoint: `${HOST}:${c.topo.orderer.port}`,
      hostAlias: `${c.topo.orderer.name}.${c.topo.orderer.domain}`,
      tlsRootCert: c.lay.orderer.tlsCa,
      mspId: c.topo.orderer.mspId,
    },
    peers: c.lay.peers.map((p) => ({
      org: p.spec.org,
      mspId: p.spec.mspId,
      endpoint: `${HOST}:${p.spec.port}`,
      hostAlias: p.host,
      tlsRootCert: p.tlsCa,
      operations: `http://${HOST}:${p.spec.operationsPort}`,
    })),
    identities: {
      org1Appender: { mspId: org1.spec.mspId, cert: org1.userCert, keyDir: org1.userKeyDir, role: "appender" },
      org1Admin: { mspId: org1.spec.mspId, cert: org1.adminCert, keyDir: org1.adminKeyDir, role: "admin" },
      org2Admin: { mspId: org2.spec.mspId, cert: org2.adminCert, keyDir: org2.adminKeyDir, role: "admin" },
      org2User: { mspId: org2.spec.mspId, cert: org2.userCert, keyDir: org2.userKeyDir, role: "client" },
    },
    chaincodeServer: { address: `${HOST}:${c.topo.chaincodePort}`, packageId },
  };
}

/**
 * Waits until the gateway can plan an endorsement by both orgs, configures governance
 * (both organisations approve admin actions), then both let Org1's User1 append.
 */
async function waitEndorsableAndAuthorize(c: Ctx, step: (l: string) => void): Promise<void> {
  const admin = createFabricLedger({ ...fabricConfigFromNetworkFile(c.lay.networkJson, "org1Admin"), retry: { maxAttempts: 1 } });
  const appender = createFabricLedger(fabricConfigFromNetworkFile(c.lay.networkJson, "org1Appender"));
  const org2Admin = createFabricLedger(fabricConfigFromNetworkFile(c.lay.networkJson, "org2Admin"));
  try {
    let lastError = "";
    await waitFor(
      "the gateway to endorse with both organisations (gossip)",
      async () => {
        try {
          await admin.probeEndorsement();
          return true;
        } catch (err) {
          lastError = err instanceof Error ? err.message : String(err);
          return false;
        }
      },
      120_000,
      500,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; last gateway answer: ${lastError}`);
    });
    step("gateway endorses with Org1 + Org2");
    // Admin actions need both organisations from here on: one organisation alone cannot
    // make itself appender, recover an account or change a policy (Governance).
    await admin.configureGovernance(["Org1MSP", "Org2MSP"], 2);
    const me = await appender.whoAmI();
    const proposal = await admin.propose("Audit:AuthorizeAppender", [me.mspId, me.idHash]);
    const approved = await org2Admin.approve(proposal.id);
    if (!approved.executed) throw new Error("the appender grant was not executed after both organisations approved");
    step(`governance: Org1 + Org2 must approve admin actions; they authorised User1@Org1 to append audit batches`);
  } finally {
    await admin.close();
    await appender.close();
    await org2Admin.close();
  }
}

export interface UpResult {
  dataDir: string;
  networkJson: string;
  ms: number;
  alreadyRunning: boolean;
}

/**
 * Starts the network from nothing (any previous data in the data directory is removed).
 * @throws when any step fails; the processes started so far keep running for inspection
 *   (`fabric down` stops them).
 */
export async function up(): Promise<UpResult> {
  const t0 = Date.now();
  const env = readFabricEnv();
  const topo = topology(env.portOffset);
  const lay = layout(env.dataDir, topo);
  if (listDaemons(lay.pids).some((d) => d.alive)) {
    if (existsSync(lay.networkJson)) {
      console.log(`Fabric network already running (data ${lay.root}); 'fabric down' stops it.`);
      return { dataDir: lay.root, networkJson: lay.networkJson, ms: 0, alreadyRunning: true };
    }
    await down({ quiet: true });
  }
  const bins = await ensureFabricBinaries();
  console.log(`Fabric ${bins.pin}: ${bins.cached ? "cached binaries" : "built"} in ${(bins.ms / 1000).toFixed(1)} s (${bins.binDir})`);
  rmSync(lay.root, { recursive: true, force: true });
  mkdirSync(lay.config, { recursive: true });
  const c: Ctx = { topo, lay, bins };
  const step = timer();
  console.log(`Starting Fabric network in ${lay.root}`);
  writeCryptoConfig(topo, join(lay.config, "crypto-config.yaml"));
  writeConfigtx(topo, lay, join(lay.config, "configtx.yaml"));
  await createChannel(c, step);
  await startOrderer(c, step);
  await startPeers(c, step);
  const packageId = await deployChaincode(c, step);
  writeFileSync(lay.networkJson, JSON.stringify(networkFile(c, packageId), null, 2));
  await waitEndorsableAndAuthorize(c, step);
  const ms = Date.now() - t0;
  printWhere(c, packageId);
  console.log(`Fabric network ready in ${(ms / 1000).toFixed(1)} s. network.json: ${lay.networkJson}`);
  return { dataDir: lay.root, networkJson: lay.networkJson, ms, alreadyRunning: false };
}

function printWhere(c: Ctx, packageId: string): void {
  const o = c.topo.orderer;
  console.log("Listening on:");
  console.log(`  orderer            ${HOST}:${o.port}  (admin ${HOST}:${o.adminPort}, operations http://${HOST}:${o.operationsPort})`);
  for (const p of c.lay.peers) {
    console.log(`  ${p.host.padEnd(18)} ${HOST}:${p.spec.port}  (chaincode ${HOST}:${p.spec.chaincodePort}, operations http://${HOST}:${p.spec.operationsPort})`);
  }
  console.log(`  chaincode server   ${HOST}:${c.topo.chaincodePort}  (${packageId.slice(0, 24)}…)`);
  console.log(`  logs               ${c.lay.logs}`);
}

/** Stops every process `up` started (by pid file) and removes the data directory. */
export async function down(opts: { quiet?: boolean } = {}): Promise<void> {
  const env = readFabricEnv();
  const lay = layout(env.dataDir, topology(env.portOffset));
  const daemons = listDaemons(lay.pids);
  await Promise.all(daemons.map((d) => stopDaemon(d, lay.pids)));
  rmSync(lay.root, { recursive: true, force: true });
  if (!opts.quiet) {
    console.log(
      daemons.length === 0
        ? `Nothing was running; removed ${lay.root}`
        : `Stopped ${daemons.map((d) => `${d.name} (${d.pid})`).join(", ")}; removed ${lay.root}`,
    );
  }
}

/** Prints what runs; resolves true when every recorded process is alive. */
export async function status(): Promise<boolean> {
  const env = readFabricEnv();
  const topo = topology(env.portOffset);
  const lay = layout(env.dataDir, topo);
  const daemons = listDaemons(lay.pids);
  if (daemons.length === 0) {
    console.log(`No Fabric network recorded in ${lay.root}`);
    return false;
  }
  console.log(`Fabric network in ${lay.root}`);
  const health = new Map<string, number>([
    ["orderer", topo.orderer.operationsPort],
    ...lay.peers.map((p) => [p.host, p.spec.operationsPort] as [string, number]),
  ]);
  for (const d of daemons) {
    const port = health.get(d.name);
    const ok = d.alive && port !== undefined ? await healthy(port).catch(() => false) : null;
    const state = !d.alive ? "STOPPED" : ok === null ? "running" : ok ? "running, healthy" : "running, not healthy";
    console.log(`  ${d.name.padEnd(24)} pid ${String(d.pid).padEnd(8)} ${state}`);
  }
  if (existsSync(lay.networkJson)) {
    const net = JSON.parse(readFileSync(lay.networkJson, "utf8")) as FabricNetworkFile;
    console.log(`  channel '${net.channel}', chaincode '${net.chaincode}', Fabric ${net.pin}`);
    console.log(`  network.json: ${lay.networkJson}`);
  } else {
    console.log("  network.json not written: start-up did not finish");
  }
  return daemons.every((d) => d.alive);
}
