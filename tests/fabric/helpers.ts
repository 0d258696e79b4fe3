/** Test keys and ledgers for the Fabric suite (node:crypto Ed25519, as the browser's libsodium keys). */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import type { PrismaClient } from "@cairn/db";
import { createFabricLedger, fabricConfigFromNetworkFile, type FabricIdentityName, type FabricLedger, type Ledger } from "@cairn/ledger";
import { deviceCertificateBytes, fromBase64Url, fromHex } from "@cairn/protocol";

export function ledgerAs(identity: FabricIdentityName): FabricLedger {
  const path = process.env.CAIRN_FABRIC_NETWORK_JSON;
  if (!path) throw new Error("CAIRN_FABRIC_NETWORK_JSON is not set: run through tests/fabric/vitest.config.ts");
  return createFabricLedger(fabricConfigFromNetworkFile(path, identity));
}

export interface TestKey {
  privateKey: KeyObject;
  /** Raw 32-byte public key, base64url. */
  publicKey: string;
}

export function ed25519(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" });
  if (!jwk.x) throw new Error("no raw public key");
  return { privateKey, publicKey: jwk.x };
}

export const randomRef = (): string => randomBytes(32).toString("hex");
export const randomHash = (): string => randomBytes(32).toString("hex");

/** A device registration signed by `signer` (the identity key, or a wrong one). */
export function deviceRegistration(userRef: string, identity: TestKey, signer: TestKey, deviceId: string) {
  const signing = ed25519();
  const agreement = randomBytes(32).toString("base64url");
  const certificate = deviceCertificateBytes({
    identityPublicKey: fromBase64Url(identity.publicKey),
    deviceId,
    signingPublicKey: fromBase64Url(signing.publicKey),
    agreementPublicKey: fromBase64Url(agreement),
  });
  return {
    userRef,
    deviceId,
    signingPublicKey: signing.publicKey,
    agreementPublicKey: agreement,
    signature: sign(null, certificate, signer.privateKey).toString("base64url"),
  };
}

/**
 * The suite's network already holds other tests' audit batches. A Cairn database
 * paired with it starts where the chain's log ends: the earlier leaves are copied
 * in (as a deployment restoring its log from the chain would), so proofs can be built.
 */
export async function adoptChainLog(prisma: PrismaClient, ledger: Ledger): Promise<void> {
  let next = 0;
  const size = (await ledger.getLatestCheckpoint())?.treeSize ?? 0;
  while (next < size) {
    const batch = await ledger.getBatch?.(next);
    if (!batch) throw new Error(`no batch at ${next}`);
    await prisma.auditLeaf.createMany({
      data: batch.leafHashes.map((h, k) => ({ leafIndex: BigInt(next + k), leafHash: new Uint8Array(fromHex(h)), kind: "foreign" })),
    });
    next = batch.treeSize;
  }
  await prisma.auditHead.update({ where: { id: 1 }, data: { nextLeaf: BigInt(size) } });
}
