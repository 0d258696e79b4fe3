/**
 * Test fixtures: membership events as a member's browser signs them, over the chain
 * head stored in the database (what the crypto worker does after verifying it).
 */
import { replayMembership } from "@cairn/audit";
import { generateIdentity, ready, signMembershipEvent, verifyEd25519, type SigningKeyPair } from "@cairn/crypto";
import { listRoomEvents, type PrismaClient } from "@cairn/db";
import { MEMBERSHIP_GENESIS, toBase64Url, type MembershipKind, type WireMembershipEvent } from "@cairn/protocol";

export async function testIdentity(): Promise<SigningKeyPair> {
  await ready();
  return generateIdentity();
}

/** `identity` signs a `kind` event naming `targets` (create: name the creator too) over the room's stored head. */
export async function signedEvent(
  prisma: PrismaClient,
  identity: SigningKeyPair,
  roomId: string,
  kind: MembershipKind,
  targets: Uint8Array[],
): Promise<WireMembershipEvent> {
  await ready();
  const { state } = replayMembership(roomId, await listRoomEvents(prisma, roomId), verifyEd25519);
  const e = signMembershipEvent(identity, {
    roomId,
    seq: state.head ? state.head.seq + 1 : 0,
    kind,
    targets,
    prevHash: state.head?.hash ?? MEMBERSHIP_GENESIS,
    timeMs: Date.now(),
  });
  return { body: toBase64Url(e.body), signature: toBase64Url(e.signature) };
}
