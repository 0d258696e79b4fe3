import { createHmac } from "node:crypto";

/**
 * HMAC-SHA256(serverSecret, userId) in hex: how a user appears on chain (DESIGN §1).
 * The same function as the relay's user-ref.ts (kept in step by the export test,
 * which reads keys the relay's path registered).
 */
export function userRef(serverSecretHex: string, userId: string): string {
  return createHmac("sha256", Buffer.from(serverSecretHex, "hex")).update(userId, "utf8").digest("hex");
}
