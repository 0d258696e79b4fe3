/**
 * The verifier's signature and AEAD checks on libsodium (the library that signs and
 * encrypts every Cairn message), for the browser's compliance page. Public-key
 * operations only: nothing secret is handled here.
 */
import sodium from "libsodium-wrappers-sumo";
import { envelopeHeaderBytes, type Envelope } from "@cairn/protocol";
import type { VerifyDeps } from "@cairn/audit";

export type SodiumVerifyDeps = Pick<VerifyDeps, "verifyEd25519" | "openEnvelope">;

/** Loads libsodium and returns Ed25519 verification and XChaCha20-Poly1305 opening. */
export async function sodiumVerifyDeps(): Promise<Required<SodiumVerifyDeps>> {
  await sodium.ready;
  return {
    verifyEd25519(publicKey, message, signature) {
      if (publicKey.length !== 32 || signature.length !== 64) return false;
      try {
        return sodium.crypto_sign_verify_detached(signature, message, publicKey);
      } catch {
        return false;
      }
    },
    openEnvelope(envelope: Envelope, messageKey: Uint8Array) {
      if (messageKey.length !== 32 || envelope.nonce.length !== 24) return null;
      try {
        return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, envelope.ciphertext, envelopeHeaderBytes(envelope), envelope.nonce, messageKey);
      } catch {
        return null;
      }
    },
  };
}
