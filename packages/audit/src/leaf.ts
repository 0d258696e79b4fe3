/** The leaf hash of a stored message (docs/audit.md). */
import { auditLeafData, type Envelope } from "@cairn/protocol";
import { leafHash } from "./hash";

/**
 * RFC 9162 leaf hash of a message: SHA-256(0x00 || auditLeafData(envelope, roomSeq, serverTimeMs)).
 * @throws TypeError / RangeError when a field of the envelope or a number is malformed
 */
export function leafHashOfMessage(message: {
  envelope: Envelope;
  roomSeq: number;
  serverTimeMs: number;
}): Uint8Array {
  return leafHash(auditLeafData(message));
}
