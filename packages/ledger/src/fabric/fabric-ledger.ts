/**
 * The Fabric implementation of Cairn's Ledger: the same contracts as the embedded
 * ledger, reached through @hyperledger/fabric-gateway. Writes are submitted (endorsed
 * by both organisations, ordered, committed) with retries; reads are evaluated on
 * the connected peer.
 */
import {
  LedgerAppenderGrant,
  LedgerBatchRecord,
  LedgerCheckpoint,
  LedgerKeyRecord,
  LedgerGovernanceConfig,
  LedgerLeaf,
  LedgerProposal,
  LedgerRoomHead,
  LedgerWhoAmI,
  type GovernedAction,
  splitBatchRecord,
} from "@cairn/protocol";
import type {
  AppendBatchInput,
  DeviceKeyRegistration,
  DeviceRevocation,
  UserDeactivation,
  IdentityRegistration,
  Ledger,
  LedgerBatch,
  TxReceipt,
} from "../ledger";
import { policyMethods } from "../policy";
import { deactivationReceipt, parseOptionalRecord, parseRecord } from "../records";
import { DEFAULT_RETRY, DEFAULT_TIMEOUTS, type FabricLedgerConfig } from "./config";
import { openConnection } from "./connection";
import { LedgerError } from "../errors";
import { evaluateWithRetry, rejection, submitWithRetry } from "./submit";
import { watchCheckpoints, type WatchCheckpointsOptions } from "./checkpoint-events";

/** The calling identity as the chaincode sees it (Audit:WhoAmI). */
export type WhoAmI = LedgerWhoAmI;

/** The Ledger plus the Fabric-only calls the network scripts and operators need. */
export interface FabricLedger extends Ledger {
  readonly kind: "fabric";
  getBatch(index: number): Promise<LedgerBatch | null>;
  /** The calling identity as the chaincode sees it. */
  whoAmI(): Promise<WhoAmI>;
  /** Lets an identity append audit batches (caller must be an admin; refused once governance needs a quorum). */
  authorizeAppender(mspId: string, idHash: string): Promise<TxReceipt>;
  /** Names the governing organisations and the quorum, once (Governance:Configure; an admin of one of them). */
  configureGovernance(orgs: string[], quorum: number): Promise<LedgerGovernanceConfig>;
  getGovernance(): Promise<LedgerGovernanceConfig | null>;
  /** Proposes an admin action with its string arguments (Governance:Propose); executed once a quorum approves. */
  propose(action: GovernedAction, args: string[]): Promise<LedgerProposal>;
  /** Approves for the caller's organisation (Governance:Approve); the approval reaching the quorum executes it. */
  approve(proposalId: string): Promise<LedgerProposal>;
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
  const evaluate = (name: string, args: string[]) => evaluateWithRetry(conn.contract, name, args, timeouts, retry);
  /** The key record a KeyRegistry write returned. */
  const keysOf = (result: Uint8Array, name: string) => parseRecord(LedgerKeyRecord, result, name);

  return {
    kind: "fabric",

    async registerIdentity(input: IdentityRegistration): Promise<TxReceipt> {
      const { result } = await submit("KeyRegistry:RegisterIdentity", [input.userRef, input.identityPublicKey]);
      const record = keysOf(result, "RegisterIdentity");
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
      const device = keysOf(result, "RegisterDevice").devices.find((d) => d.deviceId === input.deviceId);
      if (!device) throw new LedgerError("BAD_RESPONSE", "RegisterDevice: device missing from the record");
      return { txId: device.registeredTxId, timestamp: new Date(device.registeredAt) };
    },

    async revokeDevice(input: DeviceRevocation): Promise<TxReceipt> {
      const { result } = await submit("KeyRegistry:RevokeDevice", [
        input.userRef,
        input.deviceId,
        String(input.revokedAtMs),
        input.signature,
      ]);
      const device = keysOf(result, "RevokeDevice").devices.find((d) => d.deviceId === input.deviceId);
      if (!device?.revokedTxId || !device.revokedAt) {
        throw new LedgerError("BAD_RESPONSE", "RevokeDevice: device not revoked in the record");
      }
      return { txId: device.revokedTxId, timestamp: new Date(device.revokedAt) };
    },

    async deactivateUser(input: UserDeactivation): Promise<TxReceipt> {
      need(Number.isSafeInteger(input.auditLeafIndex) && input.auditLeafIndex >= 0, "auditLeafIndex must be a non-negative integer");
      const { result } = await submit("KeyRegistry:DeactivateUser", [input.userRef, String(input.auditLeafIndex)]);
      return deactivationReceipt(keysOf(result, "DeactivateUser"));
    },

    async getKeys(userRef: string): Promise<LedgerKeyRecord | null> {
      return parseOptionalRecord(LedgerKeyRecord, await evaluate("KeyRegistry:GetKeys", [userRef]), "GetKeys");
    },

    async appendBatch(input: AppendBatchInput): Promise<LedgerCheckpoint> {
      need(Number.isSafeInteger(input.startIndex) && input.startIndex >= 0, "startIndex must be a non-negative integer");
      need(Array.isArray(input.leafHashes) && input.leafHashes.length > 0, "leafHashes must be a non-empty array");
      const { result } = await submit("Audit:AppendBatch", [String(input.startIndex), input.leafHashes.join(""), JSON.stringify(input.roomHeads ?? [])]);
      return parseRecord(LedgerCheckpoint, result, "AppendBatch");
    },

    async getLatestCheckpoint(): Promise<LedgerCheckpoint | null> {
      return parseOptionalRecord(LedgerCheckpoint, await evaluate("Audit:GetLatestCheckpoint", []), "GetLatestCheckpoint");
    },

    async getCheckpoint(treeSize: number): Promise<LedgerCheckpoint | null> {
      need(Number.isSafeInteger(treeSize) && treeSize >= 0, "treeSize must be a non-negative integer");
      return parseOptionalRecord(LedgerCheckpoint, await evaluate("Audit:GetCheckpoint", [String(treeSize)]), "GetCheckpoint");
    },

    async getLeaf(index: number): Promise<LedgerLeaf | null> {
      need(Number.isSafeInteger(index) && index >= 0, "index must be a non-negative integer");
      return parseOptionalRecord(LedgerLeaf, await evaluate("Audit:GetLeaf", [String(index)]), "GetLeaf");
    },

    async getRoomHead(roomRef: string, treeSize: number): Promise<LedgerRoomHead | null> {
      need(Number.isSafeInteger(treeSize) && treeSize >= 0, "treeSize must be a non-negative integer");
      return parseOptionalRecord(LedgerRoomHead, await evaluate("Audit:GetRoomHead", [roomRef, String(treeSize)]), "GetRoomHead");
    },

    async getBatch(index: number): Promise<LedgerBatch | null> {
      need(Number.isSafeInteger(index) && index >= 0, "index must be a non-negative integer");
      const batch = parseOptionalRecord(LedgerBatchRecord, await evaluate("Audit:GetBatch", [String(index)]), "GetBatch");
      return batch ? splitBatchRecord(batch) : null;
    },

    ...policyMethods(
      async (name, args) => new TextDecoder().decode((await submit(name, args)).result),
      async (name, args) => new TextDecoder().decode(await evaluate(name, args)),
    ),

    async whoAmI(): Promise<WhoAmI> {
      return parseRecord(LedgerWhoAmI, await evaluate("Audit:WhoAmI", []), "WhoAmI");
    },

    async authorizeAppender(mspId: string, idHash: string): Promise<TxReceipt> {
      const { result } = await submit("Audit:AuthorizeAppender", [mspId, idHash]);
      const grant = parseRecord(LedgerAppenderGrant, result, "AuthorizeAppender");
      return { txId: grant.txId, timestamp: new Date(grant.time) };
    },

    async configureGovernance(orgs: string[], quorum: number): Promise<LedgerGovernanceConfig> {
      const { result } = await submit("Governance:Configure", [JSON.stringify(orgs), String(quorum)]);
      return parseRecord(LedgerGovernanceConfig, result, "Configure");
    },

    async getGovernance(): Promise<LedgerGovernanceConfig | null> {
      return parseOptionalRecord(LedgerGovernanceConfig, await evaluate("Governance:GetConfig", []), "GetConfig");
    },

    async propose(action: GovernedAction, args: string[]): Promise<LedgerProposal> {
      const { result } = await submit("Governance:Propose", [action, JSON.stringify(args)]);
      return parseRecord(LedgerProposal, result, "Propose");
    },

    async approve(proposalId: string): Promise<LedgerProposal> {
      const { result } = await submit("Governance:Approve", [proposalId]);
      return parseRecord(LedgerProposal, result, "Approve");
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
