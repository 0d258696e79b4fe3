/**
 * KeyRegistry: users' identity keys and their cross-signed device keys, with full
 * history. The contract itself checks every device certificate and revocation
 * against the identity key's Ed25519 signature (docs/protocol.md), so no relay or admin
 * can substitute a device key unnoticed. Users appear only as keyed hashes.
 */
import {
  deviceCertificateBytes,
  deviceRevocationBytes,
  type LedgerDeviceRecord,
  type LedgerKeyRecord,
  type LedgerReplacedIdentity,
} from "@cairn/protocol";
import { Contract } from "fabric-contract-api";
import { authorOf, requireService } from "./access";
import { runDirect, type AdminAction } from "./authority";
import { readJson, txTime, writeJson, type CairnContext } from "./context";
import { verifyEd25519 } from "./ed25519";
import { ChaincodeError } from "./errors";
import { ORG_POLICY_KEY, type PolicyRecord, type OrgPolicy } from "./policy-state";
import { canonicalJson } from "./serialize";
import { decodeB64, decodeDeviceId, decodeIndex, decodeRef, decodeString } from "./validate";

/** A device as the KeyRegistry records it (the shared @cairn/protocol shape). */
export type DeviceRecord = LedgerDeviceRecord;
/** An identity key that was replaced, and why. */
export type ReplacedIdentity = LedgerReplacedIdentity;
/** A user's registry record: identity key, every device, earlier identity keys. */
export type KeyRecord = LedgerKeyRecord;

const keyOf = (userRef: string) => `keys/${userRef}`;

async function loadUser(ctx: CairnContext, userRef: string): Promise<KeyRecord> {
  const record = await readJson<KeyRecord>(ctx, keyOf(userRef));
  if (!record) throw new ChaincodeError("NOT_FOUND", "no identity key registered for this userRef");
  return record;
}

/** Revokes every active device of `record` in this transaction, unsigned (recovery, deactivation). */
function revokeActiveDevices(ctx: CairnContext, record: KeyRecord): { txId: string; at: string } {
  const txId = ctx.stub.getTxID();
  const at = txTime(ctx);
  for (const device of record.devices) {
    if (device.revokedTxId !== null) continue;
    device.revokedAtMs = ctx.stub.getDateTimestamp().getTime();
    device.revokedTxId = txId;
    device.revokedAt = at;
    device.revocationSignature = null;
  }
  return { txId, at };
}

/** KeyRegistry:RecoverIdentity's work (see the method). */
export const recoverIdentity: AdminAction<{ ref: string; key: string; why: string }> = {
  decode: ([userRef, newIdentityPublicKeyB64, reason]) => {
    const ref = decodeRef("userRef", userRef);
    const key = newIdentityPublicKeyB64 ?? "";
    decodeB64("identityPublicKey", key, 32);
    return { ref, key, why: decodeString("reason", reason, 1, 500) };
  },
  async run(ctx, { ref, key: newIdentityPublicKeyB64, why }) {
    const record = await loadUser(ctx, ref);
    if (record.identityPublicKey === newIdentityPublicKeyB64) {
      throw new ChaincodeError("CONFLICT", "the new identity key equals the current one");
    }
    const { txId, at } = revokeActiveDevices(ctx, record);
    record.identityHistory = [
      ...(record.identityHistory ?? []),
      {
        identityPublicKey: record.identityPublicKey,
        registeredTxId: record.registeredTxId,
        registeredAt: record.registeredAt,
        replacedTxId: txId,
        replacedAt: at,
        reason: why,
        replacedBy: authorOf(ctx),
      },
    ];
    record.identityPublicKey = newIdentityPublicKeyB64;
    record.registeredTxId = txId;
    record.registeredAt = at;
    await writeJson(ctx, keyOf(ref), record);
    return canonicalJson(record);
  },
};

export class KeyRegistryContract extends Contract {
  constructor() {
    super("KeyRegistry");
  }

  /**
   * Registers a user's identity key: first registration per userRef only; the same
   * key again is a no-op. Caller: the relay's identity or an admin.
   * @returns KeyRecord JSON
   */
  async RegisterIdentity(ctx: CairnContext, userRef: string, identityPublicKeyB64: string): Promise<string> {
    const ref = decodeRef("userRef", userRef);
    decodeB64("identityPublicKey", identityPublicKeyB64, 32);
    await requireService(ctx, "RegisterIdentity", true);
    const existing = await readJson<KeyRecord>(ctx, keyOf(ref));
    if (existing) {
      if (existing.identityPublicKey === identityPublicKeyB64) return canonicalJson(existing);
      throw new ChaincodeError("CONFLICT", "a different identity key is already registered for this userRef");
    }
    const record: KeyRecord = {
      userRef: ref,
      identityPublicKey: identityPublicKeyB64,
      registeredTxId: ctx.stub.getTxID(),
      registeredAt: txTime(ctx),
      devices: [],
    };
    await writeJson(ctx, keyOf(ref), record);
    return canonicalJson(record);
  }

  /**
   * Registers a device's signing and agreement keys, signed by the identity key.
   * Idempotent for the same keys; a revoked device id cannot come back.
   * @returns KeyRecord JSON
   */
  async RegisterDevice(
    ctx: CairnContext,
    userRef: string,
    deviceId: string,
    signingPubB64: string,
    agreementPubB64: string,
    signatureB64: string,
  ): Promise<string> {
    const ref = decodeRef("userRef", userRef);
    const id = decodeDeviceId(deviceId);
    const signingPublicKey = decodeB64("signingPublicKey", signingPubB64, 32);
    const agreementPublicKey = decodeB64("agreementPublicKey", agreementPubB64, 32);
    const signature = decodeB64("signature", signatureB64, 64);
    const record = await loadUser(ctx, ref);
    if (record.deactivation) throw new ChaincodeError("CONFLICT", "the account was deactivated");
    const identityPublicKey = decodeB64("identityPublicKey", record.identityPublicKey, 32);
    const certificate = deviceCertificateBytes({ identityPublicKey, deviceId: id, signingPublicKey, agreementPublicKey });
    if (!verifyEd25519(identityPublicKey, certificate, signature)) {
      throw new ChaincodeError("BAD_SIGNATURE", "device certificate is not signed by the user's identity key");
    }
    const existing = record.devices.find((d) => d.deviceId === id);
    if (existing) {
      if (existing.revokedTxId !== null) throw new ChaincodeError("CONFLICT", "device was revoked");
      if (existing.signingPublicKey === signingPubB64 && existing.agreementPublicKey === agreementPubB64) {
        return canonicalJson(record);
      }
      throw new ChaincodeError("CONFLICT", "device id already registered with other keys");
    }
    const org = await readJson<PolicyRecord<OrgPolicy>>(ctx, ORG_POLICY_KEY);
    const max = org?.policy.maxDevicesPerUser ?? null;
    const active = record.devices.filter((d) => d.revokedTxId === null).length;
    if (max !== null && active >= max) {
      throw new ChaincodeError("POLICY_VIOLATION", `at most ${max} active devices per user`);
    }
    record.devices.push({
      deviceId: id,
      signingPublicKey: signingPubB64,
      agreementPublicKey: agreementPubB64,
      signature: signatureB64,
      registeredTxId: ctx.stub.getTxID(),
      registeredAt: txTime(ctx),
      revokedAtMs: null,
      revokedTxId: null,
      revokedAt: null,
      revocationSignature: null,
    });
    await writeJson(ctx, keyOf(ref), record);
    return canonicalJson(record);
  }

  /**
   * Revokes a device, signed by the identity key. Revoking a revoked device is a no-op.
   * @returns KeyRecord JSON
   */
  async RevokeDevice(
    ctx: CairnContext,
    userRef: string,
    deviceId: string,
    revokedAtMs: string,
    signatureB64: string,
  ): Promise<string> {
    const ref = decodeRef("userRef", userRef);
    const id = decodeDeviceId(deviceId);
    const at = decodeIndex("revokedAtMs", revokedAtMs);
    const signature = decodeB64("signature", signatureB64, 64);
    const record = await loadUser(ctx, ref);
    const device = record.devices.find((d) => d.deviceId === id);
    if (!device) throw new ChaincodeError("NOT_FOUND", "no such device for this userRef");
    const identityPublicKey = decodeB64("identityPublicKey", record.identityPublicKey, 32);
    const revocation = deviceRevocationBytes({ identityPublicKey, deviceId: id, revokedAtMs: at });
    if (!verifyEd25519(identityPublicKey, revocation, signature)) {
      throw new ChaincodeError("BAD_SIGNATURE", "revocation is not signed by the user's identity key");
    }
    if (device.revokedTxId !== null) return canonicalJson(record);
    device.revokedAtMs = at;
    device.revokedTxId = ctx.stub.getTxID();
    device.revokedAt = txTime(ctx);
    device.revocationSignature = signatureB64;
    await writeJson(ctx, keyOf(ref), record);
    return canonicalJson(record);
  }

  /**
   * Account recovery by an admin: replaces the identity key (the user lost it), records
   * the reason and the admin, and revokes every active device (their certificates were
   * signed by the old key). The user then registers new devices under the new key.
   * @returns KeyRecord JSON
   */
  async RecoverIdentity(ctx: CairnContext, userRef: string, newIdentityPublicKeyB64: string, reason: string): Promise<string> {
    return runDirect(ctx, "KeyRegistry:RecoverIdentity", recoverIdentity, [userRef, newIdentityPublicKeyB64, reason]);
  }

  /**
   * Offboarding: the account was deactivated in Cairn (audit leaf `auditLeafIndex`
   * records who did it and when). Revokes every active device in this transaction,
   * unsigned by the user (the user is not there to sign), records who submitted it, and
   * refuses new devices from then on. Caller: the relay's identity or an admin. A
   * second call changes nothing. Revoking only removes trust, so the service identity
   * may do it; anyone reading the record sees it was not the user's signature.
   * @returns KeyRecord JSON
   */
  async DeactivateUser(ctx: CairnContext, userRef: string, auditLeafIndex: string): Promise<string> {
    const ref = decodeRef("userRef", userRef);
    const leaf = decodeIndex("auditLeafIndex", auditLeafIndex);
    await requireService(ctx, "DeactivateUser", true);
    const record = await loadUser(ctx, ref);
    if (record.deactivation) return canonicalJson(record);
    const { txId, at } = revokeActiveDevices(ctx, record);
    record.deactivation = { txId, at, by: authorOf(ctx), auditLeafIndex: leaf };
    await writeJson(ctx, keyOf(ref), record);
    return canonicalJson(record);
  }

  /** @returns KeyRecord JSON, or "null" when the userRef has no identity key */
  async GetKeys(ctx: CairnContext, userRef: string): Promise<string> {
    const ref = decodeRef("userRef", userRef);
    return canonicalJson(await readJson<KeyRecord>(ctx, keyOf(ref)));
  }
}
