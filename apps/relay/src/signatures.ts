/** The relay's envelope signature check, on node:crypto key objects parsed once per connection. */
import { verify, type KeyObject } from "node:crypto";
import { envelopeSigningBytes, type Envelope } from "@cairn/protocol";

export { ed25519PublicKey } from "@cairn/audit/node";

/** True when the sender device's key signed this envelope (docs/protocol.md). */
export function envelopeSignatureValid(envelope: Envelope, signingKey: KeyObject): boolean {
  return verify(null, envelopeSigningBytes(envelope), signingKey, envelope.signature);
}
