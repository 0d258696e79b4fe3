/**
 * Where everything lives under the data directory (CAIRN_FABRIC_DIR), so one
 * `rm -rf` (what `down` does) leaves nothing behind.
 */
import { join } from "node:path";
import type { PeerSpec, Topology } from "./topology";

export interface Layout {
  root: string;
  pids: string;
  logs: string;
  crypto: string;
  config: string;
  genesisBlock: string;
  orderer: { home: string; msp: string; tls: string; tlsCa: string };
  peers: [PeerLayout, PeerLayout];
  chaincode: { pkgDir: string; pkgFile: string; moduleDir: string };
  networkJson: string;
}

export interface PeerLayout {
  spec: PeerSpec;
  host: string;
  home: string;
  cfgDir: string;
  msp: string;
  tls: string;
  tlsCa: string;
  adminMsp: string;
  adminCert: string;
  adminKeyDir: string;
  userCert: string;
  userKeyDir: string;
}

export function layout(root: string, topo: Topology): Layout {
  const crypto = join(root, "crypto");
  const o = topo.orderer;
  const ordererOrg = join(crypto, "ordererOrganizations", o.domain);
  const ordererNode = join(ordererOrg, "orderers", `${o.name}.${o.domain}`);
  return {
    root,
    pids: join(root, "pids"),
    logs: join(root, "logs"),
    crypto,
    config: join(root, "config"),
    genesisBlock: join(root, "config", "genesis.block"),
    orderer: {
      home: join(root, "orderer"),
      msp: join(ordererNode, "msp"),
      tls: join(ordererNode, "tls"),
      tlsCa: join(ordererOrg, "tlsca", `tlsca.${o.domain}-cert.pem`),
    },
    peers: [peerLayout(crypto, root, topo.peers[0]), peerLayout(crypto, root, topo.peers[1])],
    chaincode: {
      pkgDir: join(root, "chaincode", "package"),
      pkgFile: join(root, "chaincode", "cairn.tar.gz"),
      moduleDir: join(root, "chaincode", "module"),
    },
    networkJson: join(root, "network.json"),
  };
}

function peerLayout(crypto: string, root: string, spec: PeerSpec): PeerLayout {
  const org = join(crypto, "peerOrganizations", spec.domain);
  const host = `${spec.name}.${spec.domain}`;
  const admin = join(org, "users", `Admin@${spec.domain}`, "msp");
  const user = join(org, "users", `User1@${spec.domain}`, "msp");
  return {
    spec,
    host,
    home: join(root, host),
    cfgDir: join(root, host, "config"),
    msp: join(org, "peers", host, "msp"),
    tls: join(org, "peers", host, "tls"),
    tlsCa: join(org, "tlsca", `tlsca.${spec.domain}-cert.pem`),
    adminMsp: admin,
    adminCert: join(admin, "signcerts", `Admin@${spec.domain}-cert.pem`),
    adminKeyDir: join(admin, "keystore"),
    userCert: join(user, "signcerts", `User1@${spec.domain}-cert.pem`),
    userKeyDir: join(user, "keystore"),
  };
}
