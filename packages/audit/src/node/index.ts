/**
 * `@cairn/audit/node`: the bundle verifier's host functions on Node (node:crypto and
 * worker threads), for the CLI, the relay's signature checks, benchmarks and tests.
 * The browser passes its own (libsodium, WebCrypto) to the same verifyBundle.
 */
import type { VerifyDeps } from "../bundle/verify-deps";
import { createLineHash, decodeBase64Url, openEnvelope, sha256, verifyEd25519 } from "./node-crypto";
import type { SignaturePool } from "./signature-pool";

export {
  createLineHash,
  decodeBase64Url,
  ed25519PublicKey,
  ed25519Signer,
  hchacha20,
  openEnvelope,
  sha256,
  verifyEd25519,
  xchacha20poly1305Open,
} from "./node-crypto";
export { createSignaturePool, type SignaturePool } from "./signature-pool";

/** Everything verifyBundle takes from its host but the ledger, on node:crypto; envelope signatures on `pool` when given. */
export function nodeVerifyHost(pool?: SignaturePool): Omit<VerifyDeps, "ledger" | "onProgress" | "maxFindings"> {
  return {
    verifyEd25519,
    sha256,
    decodeBase64Url,
    openEnvelope,
    createLineHash,
    verifyEd25519Batch: pool ? (jobs) => pool.verifyBatch(jobs) : undefined,
  };
}
