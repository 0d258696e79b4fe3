/**
 * The network's configuration files, generated from the topology: cryptogen's input,
 * configtx (the channel's genesis), and each peer's core.yaml (Fabric's sample core.yaml
 * of the pinned source with two edits; everything else set by CORE_* variables).
 * YAML files are written as JSON, which is valid YAML.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./env";
import type { Layout, PeerLayout } from "./layout";
import { HOST, type Topology } from "./topology";

const SANS = ["127.0.0.1", "localhost"];

export function writeCryptoConfig(topo: Topology, file: string): void {
  const config = {
    OrdererOrgs: [
      {
        Name: "Orderer",
        Domain: topo.orderer.domain,
        EnableNodeOUs: true,
        Specs: [{ Hostname: topo.orderer.name, SANS }],
      },
    ],
    PeerOrgs: topo.peers.map((p) => ({
      Name: p.org,
      Domain: p.domain,
      EnableNodeOUs: true,
      Template: { Count: 1, SANS },
      Users: { Count: 1 },
    })),
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
}

const sig = (rule: string) => ({ Type: "Signature", Rule: rule });
const meta = (rule: string) => ({ Type: "ImplicitMeta", Rule: rule });

/** Block cutting: a 250 ms timeout keeps latency near one commit; big batches fit. */
export const BATCH = { timeout: "250ms", maxMessageCount: 500, absoluteMaxBytes: "99 MB", preferredMaxBytes: "8 MB" };

export function writeConfigtx(topo: Topology, lay: Layout, file: string): void {
  const o = topo.orderer;
  const ordererOrg = {
    Name: "OrdererOrg",
    ID: o.mspId,
    MSPDir: join(lay.crypto, "ordererOrganizations", o.domain, "msp"),
    Policies: {
      Readers: sig(`OR('${o.mspId}.member')`),
      Writers: sig(`OR('${o.mspId}.member')`),
      Admins: sig(`OR('${o.mspId}.admin')`),
    },
    OrdererEndpoints: [`${HOST}:${o.port}`],
  };
  const peerOrgs = lay.peers.map((p) => {
    const m = p.spec.mspId;
    return {
      Name: m,
      ID: m,
      MSPDir: join(lay.crypto, "peerOrganizations", p.spec.domain, "msp"),
      Policies: {
        Readers: sig(`OR('${m}.admin', '${m}.peer', '${m}.client')`),
        Writers: sig(`OR('${m}.admin', '${m}.client')`),
        Admins: sig(`OR('${m}.admin')`),
        Endorsement: sig(`OR('${m}.peer')`),
      },
      AnchorPeers: [{ Host: HOST, Port: p.spec.port }],
    };
  });
  const serverCert = join(lay.orderer.tls, "server.crt");
  const config = {
    Profiles: {
      CairnChannel: {
        Policies: { Readers: meta("ANY Readers"), Writers: meta("ANY Writers"), Admins: meta("MAJORITY Admins") },
        Capabilities: { V2_0: true },
        Orderer: {
          OrdererType: "etcdraft",
          BatchTimeout: BATCH.timeout,
          BatchSize: {
            MaxMessageCount: BATCH.maxMessageCount,
            AbsoluteMaxBytes: BATCH.absoluteMaxBytes,
            PreferredMaxBytes: BATCH.preferredMaxBytes,
          },
          EtcdRaft: {
            // One consenter: its TLS server certificate doubles as its cluster client certificate.
            Consenters: [{ Host: HOST, Port: o.port, ClientTLSCert: serverCert, ServerTLSCert: serverCert }],
            Options: {
              TickInterval: "500ms",
              ElectionTick: 10,
              HeartbeatTick: 1,
              MaxInflightBlocks: 5,
              SnapshotIntervalSize: "16 MB",
            },
          },
          Organizations: [ordererOrg],
          Policies: {
            Readers: meta("ANY Readers"),
            Writers: meta("ANY Writers"),
            Admins: meta("MAJORITY Admins"),
            BlockValidation: meta("ANY Writers"),
          },
          Capabilities: { V2_0: true },
        },
        Application: {
          Organizations: peerOrgs,
          Policies: {
            Readers: meta("ANY Readers"),
            Writers: meta("ANY Writers"),
            Admins: meta("MAJORITY Admins"),
            LifecycleEndorsement: meta("MAJORITY Endorsement"),
            Endorsement: meta("MAJORITY Endorsement"),
          },
          Capabilities: { V2_5: true },
        },
      },
    },
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
}

/**
 * Gossip intervals shortened from Fabric's defaults (4–25 s) so that the two
 * organisations' peers learn of each other, and the gateway can plan an AND(Org1,
 * Org2) endorsement, seconds after the channel is joined instead of ~30 s.
 */
export const GOSSIP_TUNING: Record<string, string> = {
  CORE_PEER_GOSSIP_ALIVETIMEINTERVAL: "1s",
  CORE_PEER_GOSSIP_ALIVEEXPIRATIONTIMEOUT: "5s",
  CORE_PEER_GOSSIP_RECONNECTINTERVAL: "2s",
  CORE_PEER_GOSSIP_PUBLISHCERTPERIOD: "2s",
  CORE_PEER_GOSSIP_PUBLISHSTATEINFOINTERVAL: "1s",
  CORE_PEER_GOSSIP_REQUESTSTATEINFOINTERVAL: "1s",
  CORE_PEER_GOSSIP_PULLINTERVAL: "1s",
  CORE_PEER_GOSSIP_MEMBERSHIPTRACKERINTERVAL: "1s",
  CORE_PEER_GOSSIP_ELECTION_STARTUPGRACEPERIOD: "2s",
};

/** Copies Fabric's sample core.yaml with Docker switched off and Cairn's CCaaS builder named. */
export function writePeerCoreYaml(sampleConfigDir: string, peer: PeerLayout): void {
  mkdirSync(peer.cfgDir, { recursive: true });
  const sample = readFileSync(join(sampleConfigDir, "core.yaml"), "utf8");
  const builder = join(REPO_ROOT, "fabric/builders/ccaas");
  const patched = sample
    .replace(/^(\s+endpoint:) unix:\/\/\/var\/run\/docker\.sock$/m, '$1 ""')
    .replace(/^(\s+externalBuilders:)\n(?:\s+- name: ccaas_builder\n\s+path: \S+\n\s+propagateEnvironment:\n\s+- \S+\n)/m,
      `$1\n       - name: cairn_ccaas\n         path: ${builder}\n`);
  if (/^\s+endpoint: unix:/m.test(patched) || !patched.includes(builder)) {
    throw new Error("sample core.yaml did not have the expected vm.endpoint / externalBuilders lines");
  }
  writeFileSync(join(peer.cfgDir, "core.yaml"), patched);
}

/** The orderer's settings, all as ORDERER_* variables over the sample orderer.yaml. */
export function ordererEnv(topo: Topology, lay: Layout, sampleConfigDir: string): Record<string, string> {
  const o = topo.orderer;
  const tls = lay.orderer.tls;
  const list = (...files: string[]) => `[${files.join(",")}]`;
  return {
    FABRIC_CFG_PATH: sampleConfigDir,
    FABRIC_LOGGING_SPEC: "WARNING",
    ORDERER_GENERAL_LISTENADDRESS: HOST,
    ORDERER_GENERAL_LISTENPORT: String(o.port),
    ORDERER_GENERAL_LOCALMSPID: o.mspId,
    ORDERER_GENERAL_LOCALMSPDIR: lay.orderer.msp,
    ORDERER_GENERAL_TLS_ENABLED: "true",
    ORDERER_GENERAL_TLS_PRIVATEKEY: join(tls, "server.key"),
    ORDERER_GENERAL_TLS_CERTIFICATE: join(tls, "server.crt"),
    ORDERER_GENERAL_TLS_ROOTCAS: list(join(tls, "ca.crt")),
    ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE: join(tls, "server.crt"),
    ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY: join(tls, "server.key"),
    ORDERER_GENERAL_CLUSTER_ROOTCAS: list(join(tls, "ca.crt")),
    ORDERER_GENERAL_BOOTSTRAPMETHOD: "none",
    ORDERER_CHANNELPARTICIPATION_ENABLED: "true",
    ORDERER_ADMIN_LISTENADDRESS: `${HOST}:${o.adminPort}`,
    ORDERER_ADMIN_TLS_ENABLED: "true",
    ORDERER_ADMIN_TLS_CERTIFICATE: join(tls, "server.crt"),
    ORDERER_ADMIN_TLS_PRIVATEKEY: join(tls, "server.key"),
    ORDERER_ADMIN_TLS_ROOTCAS: list(join(tls, "ca.crt")),
    ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED: "true",
    ORDERER_ADMIN_TLS_CLIENTROOTCAS: list(join(tls, "ca.crt")),
    ORDERER_OPERATIONS_LISTENADDRESS: `${HOST}:${o.operationsPort}`,
    ORDERER_METRICS_PROVIDER: "disabled",
    ORDERER_FILELEDGER_LOCATION: join(lay.orderer.home, "ledger"),
    ORDERER_CONSENSUS_WALDIR: join(lay.orderer.home, "etcdraft", "wal"),
    ORDERER_CONSENSUS_SNAPDIR: join(lay.orderer.home, "etcdraft", "snapshot"),
  };
}

/** A peer's own settings (the daemon), as CORE_* variables over its core.yaml. */
export function peerEnv(peer: PeerLayout): Record<string, string> {
  const s = peer.spec;
  const addr = `${HOST}:${s.port}`;
  return {
    FABRIC_CFG_PATH: peer.cfgDir,
    FABRIC_LOGGING_SPEC: "WARNING:gateway=INFO",
    CORE_PEER_ID: peer.host,
    CORE_PEER_ADDRESS: addr,
    CORE_PEER_LISTENADDRESS: addr,
    CORE_PEER_CHAINCODEADDRESS: `${HOST}:${s.chaincodePort}`,
    CORE_PEER_CHAINCODELISTENADDRESS: `${HOST}:${s.chaincodePort}`,
    CORE_PEER_GOSSIP_BOOTSTRAP: addr,
    CORE_PEER_GOSSIP_EXTERNALENDPOINT: addr,
    CORE_PEER_LOCALMSPID: s.mspId,
    CORE_PEER_MSPCONFIGPATH: peer.msp,
    CORE_PEER_TLS_ENABLED: "true",
    CORE_PEER_TLS_CERT_FILE: join(peer.tls, "server.crt"),
    CORE_PEER_TLS_KEY_FILE: join(peer.tls, "server.key"),
    CORE_PEER_TLS_ROOTCERT_FILE: join(peer.tls, "ca.crt"),
    CORE_PEER_FILESYSTEMPATH: join(peer.home, "ledger"),
    CORE_LEDGER_SNAPSHOTS_ROOTDIR: join(peer.home, "snapshots"),
    CORE_OPERATIONS_LISTENADDRESS: `${HOST}:${s.operationsPort}`,
    CORE_METRICS_PROVIDER: "disabled",
    CORE_PEER_GATEWAY_ENABLED: "true",
    ...GOSSIP_TUNING,
  };
}

/** Environment for `peer` CLI commands acting as the peer's organisation admin. */
export function peerAdminEnv(peer: PeerLayout): Record<string, string> {
  return {
    FABRIC_CFG_PATH: peer.cfgDir,
    FABRIC_LOGGING_SPEC: "WARNING",
    CORE_PEER_LOCALMSPID: peer.spec.mspId,
    CORE_PEER_MSPCONFIGPATH: peer.adminMsp,
    CORE_PEER_ADDRESS: `${HOST}:${peer.spec.port}`,
    CORE_PEER_TLS_ENABLED: "true",
    CORE_PEER_TLS_ROOTCERT_FILE: peer.tlsCa,
  };
}
