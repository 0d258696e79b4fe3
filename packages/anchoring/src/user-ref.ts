import { createHmac } from "node:crypto";

/** The server secret's form (as the relay's env requires it): 64+ lowercase hex characters. */
export const SERVER_SECRET_PATTERN = /^[0-9a-f]{64,}$/;

/**
 * The keyed hash that stands for a user on chain: HMAC-SHA256(serverSecret, userId),
 * lowercase hex. Without the secret it cannot be linked to a person, so deleting the
 * user off chain leaves only an unlinkable hash on chain. The one definition: the
 * key-registration outbox, the relay's ledger view, both exporters and the tests use it.
 * @throws TypeError when an argument is not a string
 * @throws RangeError when the secret is not 64+ lowercase hex characters, or userId is empty
 */
export function userRef(serverSecretHex: string, userId: string): string {
  if (typeof serverSecretHex !== "string" || typeof userId !== "string") throw new TypeError("serverSecretHex and userId must be strings");
  if (!SERVER_SECRET_PATTERN.test(serverSecretHex)) {
    throw new RangeError("the server secret must be 64+ lowercase hex characters");
  }
  if (userId.length === 0 || userId.length > 256) throw new RangeError("userId must be 1 to 256 characters");
  return createHmac("sha256", Buffer.from(serverSecretHex, "hex")).update(userId, "utf8").digest("hex");
}

/**
 * The keyed hash that stands for a room on chain (each anchored batch commits the
 * room's head under it, docs/audit.md "Completeness"): HMAC-SHA256(serverSecret,
 * "cairn/room-ref/v1:" + roomId), lowercase hex; the prefix keeps it apart from every
 * userRef. An export discloses it, so whoever holds the export can find that room's
 * heads (message counts and times of the batches) on chain; without it, the chain shows
 * only unlinkable hashes.
 * @throws TypeError, RangeError as userRef
 */
export function roomRef(serverSecretHex: string, roomId: string): string {
  if (typeof roomId !== "string" || roomId.length === 0 || roomId.length > 256) throw new RangeError("roomId must be 1 to 256 characters");
  return userRef(serverSecretHex, `cairn/room-ref/v1:${roomId}`);
}
