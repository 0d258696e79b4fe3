/**
 * A real audit trail for the bundle tests: users with Ed25519 identity and device
 * keys registered on the embedded ledger (the chaincode checks the certificates),
 * envelopes signed by those devices and stored through @cairn/db's storeEnvelope
 * (room sequence + leaf in one transaction), anchored by the relay's anchorRound.
 */
import { generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from "node:crypto";
import { leafHashOfMessage } from "@cairn/audit";
import { storeEnvelope, type PrismaClient } from "@cairn/db";
import { createEmbeddedLedger, type Ledger } from "@cairn/ledger";
import { deviceCertificateBytes, envelopeSigningBytes, toBase64Url, type Envelope } from "@cairn/protocol";
import { anchorRound, syncFromChain } from "../../apps/relay/src/anchor";
import { userRef } from "../../apps/relay/src/user-ref";

export interface Signer {
  publicKey: Uint8Array;
  privateKey: KeyObject;
}

export function ed25519(): Signer {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const der = publicKey.export({ format: "der", type: "spki" });
  return { publicKey: new Uint8Array(der.subarray(der.length - 32)), privateKey };
}

export function signWith(s: Signer, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, s.privateKey));
}

export interface TestUser {
  id: string;
  ref: string;
  identity: Signer;
  device: Signer;
  deviceId: string;
}

export const SERVER_SECRET = randomBytes(32).toString("hex");

export async function createUser(prisma: PrismaClient, ledger: Ledger, name: string, role = "member"): Promise<TestUser> {
  const identity = ed25519();
  const device = ed25519();
  const deviceId = toBase64Url(randomBytes(16));
  const agreement = new Uint8Array(randomBytes(32));
  const user = await prisma.user.create({
    data: { username: name, salt: new Uint8Array(16), authHash: "unused", identityPublicKey: new Uint8Array(identity.publicKey), role },
  });
  const ref = userRef(SERVER_SECRET, user.id);
  await ledger.registerIdentity({ userRef: ref, identityPublicKey: toBase64Url(identity.publicKey) });
  const certificate = deviceCertificateBytes({ identityPublicKey: identity.publicKey, deviceId, signingPublicKey: device.publicKey, agreementPublicKey: agreement });
  await ledger.registerDevice({
    userRef: ref,
    deviceId,
    signingPublicKey: toBase64Url(device.publicKey),
    agreementPublicKey: toBase64Url(agreement),
    signature: toBase64Url(signWith(identity, certificate)),
  });
  return { id: user.id, ref, identity, device, deviceId };
}

export async function createRoom(prisma: PrismaClient, owner: TestUser): Promise<string> {
  const room = await prisma.room.create({ data: { name: `room-${randomUUID().slice(0, 8)}`, createdBy: owner.id } });
  return room.id;
}

/** A real envelope: random ciphertext bytes (no session needed to audit), signed by the device. */
export function makeEnvelope(roomId: string, sender: { deviceId: string; device: Signer }, index: number, ciphertext?: Uint8Array): Envelope {
  const unsigned = {
    version: 1,
    roomId,
    senderDeviceId: sender.deviceId,
    sessionId: new Uint8Array(randomBytes(16)),
    index,
    prevHash: new Uint8Array(randomBytes(32)),
    nonce: new Uint8Array(randomBytes(24)),
    ciphertext: ciphertext ?? new Uint8Array(randomBytes(40 + (index % 200))),
  };
  return { ...unsigned, signature: signWith(sender.device, envelopeSigningBytes(unsigned)) };
}

export async function send(prisma: PrismaClient, roomId: string, sender: TestUser, index: number, ciphertext?: Uint8Array) {
  const envelope = makeEnvelope(roomId, sender, index, ciphertext);
  return storeEnvelope(prisma, {
    envelope,
    clientMsgId: `msg-${randomUUID()}`,
    senderUserId: sender.id,
    leafHashOf: (roomSeq, serverTimeMs) => leafHashOfMessage({ envelope, roomSeq, serverTimeMs }),
  });
}

/** Anchors everything pending in batches of at most `maxBatch`, as the relay's worker does. */
export async function anchorAll(prisma: PrismaClient, ledger: Ledger, maxBatch: number): Promise<number> {
  let size = await syncFromChain(prisma, ledger);
  for (;;) {
    const round = await anchorRound(prisma, ledger, size, maxBatch);
    if (!round.checkpoint) return size;
    size = round.checkpoint.treeSize;
  }
}

export function openLedger(prisma: PrismaClient): Ledger {
  return createEmbeddedLedger({ prisma, identity: { mspId: "CairnEmbeddedMSP", role: "relay" } });
}
