/**
 * How to reach the network: one peer's gateway endpoint, its TLS root, and a signing
 * identity. `fabricConfigFromNetworkFile` reads the network.json that `pnpm fabric:up`
 * writes (see docs/fabric.md).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LedgerError } from "../errors";

export interface FabricTimeouts {
  evaluateMs: number;
  endorseMs: number;
  submitMs: number;
  commitStatusMs: number;
}

export interface FabricRetryPolicy {
  /** Proposals sent at most, counting the first. */
  maxAttempts: number;
  /** First backoff; doubles each attempt (with jitter), capped at 2 s. */
  baseDelayMs: number;
  /** Times a commit status is polled again after a CommitStatusError. */
  maxStatusPolls: number;
}

export interface FabricLedgerConfig {
  /** host:port of the peer's gateway service. */
  peerEndpoint: string;
  /** TLS server name of the peer (its certificate's CN/SAN), e.g. peer0.org1.example.com. */
  peerHostAlias: string;
  tlsRootCertPem: string;
  mspId: string;
  certPem: string;
  keyPem: string;
  channel: string;
  chaincode: string;
  timeouts?: Partial<FabricTimeouts>;
  retry?: Partial<FabricRetryPolicy>;
}

export const DEFAULT_TIMEOUTS: FabricTimeouts = { evaluateMs: 5_000, endorseMs: 15_000, submitMs: 5_000, commitStatusMs: 60_000 };
export const DEFAULT_RETRY: FabricRetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxStatusPolls: 3 };

/** What `pnpm fabric:up` writes to <data dir>/network.json. */
export interface FabricNetworkFile {
  version: 1;
  channel: string;
  chaincode: string;
  pin: string;
  orderer: { endpoint: string; hostAlias: string; tlsRootCert: string; mspId: string };
  peers: { org: string; mspId: string; endpoint: string; hostAlias: string; tlsRootCert: string; operations: string }[];
  identities: Record<string, { mspId: string; cert: string; keyDir: string; role: "admin" | "client" | "appender" }>;
  chaincodeServer: { address: string; packageId: string };
}

export type FabricIdentityName = "org1Appender" | "org1Admin" | "org2Admin" | "org2User" | (string & {});

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    throw new LedgerError("CONFIG", `cannot read ${path}`, { cause });
  }
}

/**
 * Builds a ledger config from network.json, connecting to the peer of the identity's
 * organisation as that identity.
 * @throws {LedgerError} CONFIG when the file or a named identity/peer is missing.
 */
export function fabricConfigFromNetworkFile(
  path: string,
  identity: FabricIdentityName = "org1Appender",
): FabricLedgerConfig {
  const net = JSON.parse(readText(path)) as FabricNetworkFile;
  if (net.version !== 1) throw new LedgerError("CONFIG", `${path}: unsupported version`);
  const id = net.identities[identity];
  if (!id) throw new LedgerError("CONFIG", `${path}: no identity named ${identity}`);
  const peer = net.peers.find((p) => p.mspId === id.mspId);
  if (!peer) throw new LedgerError("CONFIG", `${path}: no peer of ${id.mspId}`);
  const keyFile = readdirSync(id.keyDir).find((f) => f.endsWith("_sk"));
  if (!keyFile) throw new LedgerError("CONFIG", `${id.keyDir}: no private key`);
  return {
    peerEndpoint: peer.endpoint,
    peerHostAlias: peer.hostAlias,
    tlsRootCertPem: readText(peer.tlsRootCert),
    mspId: id.mspId,
    certPem: readText(id.cert),
    keyPem: readText(join(id.keyDir, keyFile)),
    channel: net.channel,
    chaincode: net.chaincode,
  };
}
