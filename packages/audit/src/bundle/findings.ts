/** What the verifier can find wrong with a bundle: one stable code per kind of problem. */

export const FINDING_CODES = {
  "malformed-line": "a line is not a well-formed bundle line",
  "edited-ciphertext": "the envelope does not match its sender's signature (ciphertext or header edited)",
  "inserted-message": "a signed message (or membership event) that the audit log does not hold at this position",
  "sequence-gap": "room sequence numbers are missing (deleted messages)",
  "incomplete-export": "messages the chain's room head shows as anchored by the export's checkpoint are missing (left out, or deleted before exporting)",
  reordered: "messages are not in room sequence order",
  "duplicate-message": "the same room sequence number appears twice",
  "substituted-key": "the sender's key in the bundle differs from the chain's registry record",
  "unknown-sender-key": "the sender's device key is missing from the bundle or the chain",
  "invalid-device-certificate": "the identity key's signature over the device certificate does not verify",
  "revoked-device": "the message was stored after its device was revoked on chain",
  "forged-checkpoint": "a checkpoint that the ledger does not hold (forged or never anchored)",
  "unwitnessed-checkpoint": "a checkpoint without the cosignatures the witness policy requires (k of n)",
  "missing-checkpoint": "a proof names a checkpoint that the bundle does not contain",
  "unanchored-message": "a message or membership event without an inclusion proof (not yet anchored when exported)",
  "leaf-hash-mismatch": "the stated leaf hash differs from the one recomputed from the message",
  "time-after-checkpoint": "the message's server time is later than the checkpoint that includes it",
  "room-mismatch": "the message belongs to another room or sender than its line says",
  "plaintext-mismatch": "the disclosed plaintext does not match the ciphertext",
  "truncated-bundle": "the bundle ends early (trailer missing or fewer lines than it says)",
  "bundle-hash-mismatch": "the trailer's hash or counts do not match the lines",
  "membership-invalid": "a membership event breaks the chain's rules (signature, order, previous hash, who may add or remove)",
  "sender-not-member": "the sender was not a member of the room, by its signed membership chain, when the message was logged",
  "export-unrecorded": "the export's own audit record is not on the ledger",
  "export-record-mismatch": "the ledger's record of this export does not match the bundle",
} as const;

export type FindingCode = keyof typeof FINDING_CODES;

export interface Finding {
  code: FindingCode;
  message: string;
  /** 1-based line of the bundle the finding points at. */
  line?: number;
  roomSeq?: number;
  leafIndex?: number;
}
