/**
 * @cairn/anchoring/testing — a real audit trail for tests: users with Ed25519 identity
 * and device keys registered on a ledger (the chaincode checks the certificates),
 * envelopes signed by those devices and stored through @cairn/db's storeEnvelope
 * (room sequence + leaf in one statement), anchored by the worker's anchorRound.
 * Not part of any runtime.
 */
import { generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from "node:crypto";
import { membershipEventHash } from "@cairn/audit";
import { verifyEd25519 } from "@cairn/audit/node";
import { appendRoomEvent, enqueueLedgerTx, listRoomEvents, storeEnvelope, type PrismaClient } from "@cairn/db";
import type { Ledger } from "@cairn/ledger";
import {
  deviceCertificateBytes,
  envelopeSigningBytes,
  MEMBERSHIP_GENESIS,
  membershipEventBytes,
  toBase64Url,
  type Envelope,
  type MembershipKind,
} from "@cairn/protocol";
import { anchorRound, syncFromChain } from "./anchor";
import { openLedger } from "./open-ledger";
import { roomRef, userRef } from "./user-ref";

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

/**
 * A room created by `owner`, whose members are the owner and `others` (only members'
 * envelopes are stored), with its signed create event as the web app writes it.
 */
export async function createRoom(prisma: PrismaClient, owner: TestUser, ...others: TestUser[]): Promise<string> {
  const room = await prisma.room.create({
    data: {
      name: `room-${randomUUID().slice(0, 8)}`,
      createdBy: owner.id,
      members: { create: [owner, ...others].map((u) => ({ userId: u.id })) },
    },
  });
  await appendMembership(prisma, room.id, owner, "create", [owner, ...others]);
  return room.id;
}

/**
 * Appends a membership event signed by `actor` naming `targets` (and changes the
 * RoomMember rows to match), as the web app's routes do.
 */
export async function appendMembership(prisma: PrismaClient, roomId: string, actor: TestUser, kind: MembershipKind, targets: TestUser[]): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const chain = await listRoomEvents(tx, roomId);
    const head = chain[chain.length - 1];
    const body = membershipEventBytes({
      roomId,
      seq: chain.length,
      kind,
      actor: actor.identity.publicKey,
      targets: targets.map((t) => t.identity.publicKey),
      prevHash: head ? membershipEventHash(head) : MEMBERSHIP_GENESIS,
      timeMs: Date.now(),
    });
    await appendRoomEvent(tx, roomId, { body, signature: signWith(actor.identity, body) }, verifyEd25519);
    const userIds = targets.map((t) => t.id);
    if (kind === "add") await tx.roomMember.createMany({ data: userIds.map((userId) => ({ roomId, userId })), skipDuplicates: true });
    if (kind === "remove" || kind === "leave") await tx.roomMember.deleteMany({ where: { roomId, userId: { in: userIds } } });
  });
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
  });
}

/**
 * A user as the web app leaves one at sign-up: in the database with one device, and
 * their identity and device registrations queued in the outbox (nothing on chain yet).
 */
export async function queuedUser(prisma: PrismaClient, name: string): Promise<{ id: string; deviceId: string }> {
  const identity = ed25519();
  const device = ed25519();
  const agreement = new Uint8Array(randomBytes(32));
  const user = await prisma.user.create({
    data: { username: name, salt: new Uint8Array(16), authHash: "unused", identityPublicKey: new Uint8Array(identity.publicKey) },
  });
  const deviceId = toBase64Url(randomBytes(16));
  const certificate = deviceCertificateBytes({ identityPublicKey: identity.publicKey, deviceId, signingPublicKey: device.publicKey, agreementPublicKey: agreement });
  const signature = signWith(identity, certificate);
  await prisma.device.create({
    data: { id: deviceId, userId: user.id, name: "laptop", signingPublicKey: new Uint8Array(device.publicKey), agreementPublicKey: agreement, signature: new Uint8Array(signature) },
  });
  await enqueueLedgerTx(prisma, "registerIdentity", { userId: user.id, identityPublicKey: toBase64Url(identity.publicKey) });
  await enqueueLedgerTx(prisma, "registerDevice", {
    userId: user.id,
    deviceId,
    signingPublicKey: toBase64Url(device.publicKey),
    agreementPublicKey: toBase64Url(agreement),
    signature: toBase64Url(signature),
  });
  return { id: user.id, deviceId };
}

/**
 * Queues registrations no ledger may accept, for `userId` (registered or queued): a
 * well-formed device key its identity did not sign (the contract refuses it), and, as
 * rows an older or broken writer could have left (enqueueLedgerTx would refuse them),
 * a malformed device id, a malformed revocation and an unknown kind.
 * Returns [kind, expected refusal code] in order.
 */
export async function queueRefusedRegistrations(prisma: PrismaClient, userId: string): Promise<[string, string][]> {
  const device = (deviceId: string) => ({
    userId,
    deviceId,
    signingPublicKey: toBase64Url(randomBytes(32)),
    agreementPublicKey: toBase64Url(randomBytes(32)),
    signature: toBase64Url(randomBytes(64)),
  });
  await enqueueLedgerTx(prisma, "registerDevice", device(toBase64Url(randomBytes(16))));
  await prisma.ledgerOutbox.create({ data: { kind: "registerDevice", payload: device("not base64url!") } });
  await prisma.ledgerOutbox.create({ data: { kind: "revokeDevice", payload: { userId: "not-a-uuid", deviceId: "x", revokedAtMs: 1, signature: "" } } });
  await prisma.ledgerOutbox.create({ data: { kind: "registerPet", payload: {} } });
  return [
    ["registerDevice", "BAD_SIGNATURE"],
    ["registerDevice", "INVALID_ARGUMENT"],
    ["revokeDevice", "INVALID_ARGUMENT"],
    ["registerPet", "INVALID_ARGUMENT"],
  ];
}

/** Anchors everything pending in batches of at most `maxBatch`, as the relay's worker does. */
export async function anchorAll(prisma: PrismaClient, ledger: Ledger, maxBatch: number): Promise<number> {
  let size = await syncFromChain(prisma, ledger);
  for (;;) {
    const round = await anchorRound(prisma, ledger, size, maxBatch, (roomId) => roomRef(SERVER_SECRET, roomId));
    if (!round.checkpoint) return size;
    size = round.checkpoint.treeSize;
  }
}

/** The embedded ledger as the ledger worker opens it. */
export function openTestLedger(prisma: PrismaClient): Ledger {
  return openLedger({ kind: "embedded", as: "writer", prisma });
}
