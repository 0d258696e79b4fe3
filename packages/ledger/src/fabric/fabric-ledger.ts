/**
 * The Fabric implementation of Cairn's Ledger: the same contracts as the embedded
 * ledger, reached through @hyperledger/fabric-gateway. Writes are submitted (endorsed
 * by both organisations, ordered, committed) with retries; reads are evaluated on
 * the connected peer.
 */
import type { BatchRecord, KeyRecord, Checkpoint, LeafRecord } from "@cairn/chaincode";
import type {
  AppendBatchInput,
  DeviceKeyRegistration,
  DeviceRevocation,
  IdentityRegistration,
  Ledger,
  LedgerBatch,
  LedgerCheckpoint,
  LedgerKeyRecord,
  LedgerLeaf,
  TxReceipt,
} from "../ledger";
import { policyMethods } from "../policy";
import { DEFAULT_RETRY, DEFAULT_TIMEOUTS, type FabricLedgerConfig } from "./config";
import { openConnection } from "./connection";
import { FabricLedgerError } from "./errors";
import { evaluateWithRetry, rejection, submitWithRetry } from "./submit";
import { watchCheckpoints, type WatchCheckpointsOptions } from "./checkpoint-events";

export interface WhoAmI {
  mspId: string;
  idHash: string;
  admin: boolean;
  appender: boolean;
}

/** The Ledger plus the Fabric-only calls the network scripts and operators need. */
export interface FabricLedger extends Ledger {
  readonly kind: "fabric";
  getBatch(index: number): Promise<LedgerBatch | null>;
  /** The calling identity as the chaincode sees it. */
  whoAmI(): Promise<WhoAmI>;
  /** Lets an identity append audit batches (caller must be an admin). */
  authorizeAppender(mspId: string, idHash: string): Promise<TxReceipt>;
  /**
   * Endorses a read-only transaction without submitting it: succeeds once the gateway
   * can find peers of every organisation the endorsement policy needs.
   * @throws the gateway's error while it cannot (e.g. before gossip links the orgs).
   */
  probeEndorsement(): Promise<void>;
  /**
   * Follows committed checkpoints as chaincode events, resuming after the last one
   * handled (a persistent file checkpointer); resolves when `signal` aborts.
   */
  watchCheckpoints(opts: WatchCheckpointsOptions): Promise<void>;
}

function need(cond: boolean, message: string): void {
  if (!cond) throw new TypeError(message);
}

function parse<T>(bytes: Uint8Array, name: string): T {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (cause) {
    throw new FabricLedgerError("FABRIC_BAD_RESPONSE", `${name}: response is not JSON`, null, { cause });
  }
}

const toCheckpoint = (c: Checkpoint): LedgerCheckpoint => ({
  treeSize: c.treeSize,
  rootHash: c.rootHash,
  txId: c.txId,
  time: c.time,
});

function toKeyRecord(r: KeyRecord): LedgerKeyRecord {
  return {
    userRef: r.userRef,
    identityPublicKey: r.identityPublicKey,
    registeredTxId: r.registeredTxId,
    registeredAt: r.registeredAt,
    devices: r.devices.map((d) => ({
      deviceId: d.deviceId,
      signingPublicKey: d.signingPublicKey,
      agreementPublicKey: d.agreementPublicKey,
      signature: d.signature,
      registeredTxId: d.registeredTxId,
      registeredAt: d.registeredAt,
      revokedAtMs: d.revokedAtMs,
      revokedTxId: d.revokedTxId,
    })),
  };
}

/**
 * Connects to the peer named in `config` (no network round trip until the first call).
 * @throws {TypeError} when the config lacks a field.
 */
export function createFabricLedger(config: FabricLedgerConfig): FabricLedger {
  for (const k of ["peerEndpoint", "peerHostAlias", "tlsRootCertPem", "mspId", "certPem", "keyPem", "channel", "chaincode"] as const) {
    need(typeof config[k] === "string" && config[k].length > 0, `FabricLedgerConfig.${k} must be a non-empty string`);
  }
  const timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
  const retry = { ...DEFAULT_RETRY, ...config.retry };
  const conn = openConnection(config, timeouts);
  const submit = async (name: string, args: string[]) =>
    submitWithRetry(conn.contract, name, args, timeouts, retry);
  const evaluate = async <T>(name: string, args: string[]): Promise<T> =>
    parse<T>(await evaluateWithRetry(conn.contract, name, args, timeouts, retry), name);

  return {
    kind: "fabric",

    async registerIdentity(input: IdentityRegistration): Promise<TxReceipt> {
      const { result } = await submit("KeyRegistry:RegisterIdentity", [input.userRef, input.identityPublicKey]);
      const record = parse<KeyRecord>(result, "RegisterIdentity");
      return { txId: record.registeredTxId, timestamp: new Date(record.registeredAt) };
    },

    async registerDevice(input: DeviceKeyRegistration): Promise<TxReceipt> {
      const { result } = await submit("KeyRegistry:RegisterDevice", [
        input.userRef,
        input.deviceId,
        input.signingPublicKey,
        input.agreementPublicKey,
        input.signature,
      ]);
      const device = parse<KeyRecord>(result, "RegisterDevice").devices.find((d) => d.deviceId === input.deviceId);
      if (!device) throw new FabricLedgerError("FABRIC_BAD_RESPONSE", "RegisterDevice: device missing from the record");
      return { txId: device.registeredTxId, timestamp: new Date(device.registeredAt) };
    },

    async revokeDevice(input: DeviceRevocation): Promise<TxReceipt> {
      const { result } = await submit("KeyRegistry:RevokeDevice", [
        input.userRef,
        input.deviceId,
        String(input.revokedAtMs),
        input.signature,
      ]);
      const device = parse<KeyRecord>(result, "RevokeDevice").devices.find((d) => d.deviceId === input.deviceId);
      if (!device?.revokedTxId || !device.revokedAt) {
        throw new FabricLedgerError("FABRIC_BAD_RESPONSE", "RevokeDevice: device not revoked in the record");
      }
      return { txId: device.revokedTxId, timestamp: new Date(device.revokedAt) };
    },

    async getKeys(userRef: string): Promise<LedgerKeyRecord | null> {
      const record = await evaluate<KeyRecord | null>("KeyRegistry:GetKeys", [userRef]);
      return record ? toKeyRecord(record) : null;
    },

    async appendBatch(input: AppendBatchInput): Promise<LedgerCheckpoint> {
      need(Number.isSafeInteger(input.startIndex) && input.startIndex >= 0, "startIndex must be a non-negative integer");
      need(Array.isArray(input.leafHashes) && input.leafHashes.length > 0, "leafHashes must be a non-empty array");
      const { result } = await submit("Audit:AppendBatch", [String(input.startIndex), input.leafHashes.join("")]);
      return toCheckpoint(parse<Checkpoint>(result, "AppendBatch"));
    },

    async getLatestCheckpoint(): Promise<LedgerCheckpoint | null> {
      const c = await evaluate<Checkpoint | null>("Audit:GetLatestCheckpoint", []);
      return c ? toCheckpoint(c) : null;
    },

    async getCheckpoint(treeSize: number): Promise<LedgerCheckpoint | null> {
      need(Number.isSafeInteger(treeSize) && treeSize >= 0, "treeSize must be a non-negative integer");
      const c = await evaluate<Checkpoint | null>("Audit:GetCheckpoint", [String(treeSize)]);
      return c ? toCheckpoint(c) : null;
    },

    async getLeaf(index: number): Promise<LedgerLeaf | null> {
      need(Number.isSafeInteger(index) && index >= 0, "index must be a non-negative integer");
      const leaf = await evaluate<LeafRecord | null>("Audit:GetLeaf", [String(index)]);
      return leaf ? { index: leaf.index, leafHash: leaf.leafHash, checkpoint: toCheckpoint(leaf.checkpoint) } : null;
    },

    async getBatch(index: number): Promise<LedgerBatch | null> {
      need(Number.isSafeInteger(index) && index >= 0, "index must be a non-negative integer");
      const batch = await evaluate<BatchRecord | null>("Audit:GetBatch", [String(index)]);
      if (!batch) return null;
      const leafHashes: string[] = [];
      for (let i = 0; i < batch.leafHashes.length; i += 64) leafHashes.push(batch.leafHashes.slice(i, i + 64));
      return { startIndex: batch.startIndex, treeSize: batch.treeSize, leafHashes, checkpoint: toCheckpoint(batch.checkpoint) };
    },

    ...policyMethods(
      async (name, args) => new TextDecoder().decode((await submit(name, args)).result),
      async (name, args) => new TextDecoder().decode(await evaluateWithRetry(conn.contract, name, args, timeouts, retry)),
    ),

    async whoAmI(): Promise<WhoAmI> {
      return evaluate<WhoAmI>("Audit:WhoAmI", []);
    },

    async authorizeAppender(mspId: string, idHash: string): Promise<TxReceipt> {
      const { result } = await submit("Audit:AuthorizeAppender", [mspId, idHash]);
      const grant = parse<{ txId: string; time: string }>(result, "AuthorizeAppender");
      return { txId: grant.txId, timestamp: new Date(grant.time) };
    },

    async probeEndorsement(): Promise<void> {
      try {
        await conn.contract.newProposal("Audit:WhoAmI").endorse({ deadline: Date.now() + timeouts.endorseMs });
      } catch (err) {
        throw rejection(err, "WhoAmI") ?? err;
      }
    },

    watchCheckpoints(opts: WatchCheckpointsOptions): Promise<void> {
      return watchCheckpoints(conn.gateway.getNetwork(config.channel), config.chaincode, opts);
    },

    close(): Promise<void> {
      conn.close();
      return Promise.resolve();
    },
  };
}
