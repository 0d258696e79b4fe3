import { createHmac } from "node:crypto";

/**
 * The keyed hash that stands for a user on chain: HMAC-SHA256(serverSecret, userId).
 * Without the secret it cannot be linked to a person, so deleting the user off
 * chain leaves only an unlinkable hash on chain (DESIGN §1).
 */
export function userRef(serverSecretHex: string, userId: string): string {
  return createHmac("sha256", Buffer.from(serverSecretHex, "hex")).update(userId, "utf8").digest("hex");
}
