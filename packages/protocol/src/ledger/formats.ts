/**
 * The field formats of Cairn's ledger records, as the chaincode writes them: keyed
 * hashes and Merkle hashes in lowercase hex, keys and signatures in canonical
 * base64url of an exact length, times as the transaction's ISO 8601 UTC timestamp.
 */
import { z } from "zod";
import { PublicKey, Signature } from "../schemas";

/** A keyed hash (userRef, roomRef, an identity's idHash): 32 bytes, 64 lowercase hex characters. */
export const LedgerRef = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex characters");

/** An RFC 9162 hash (root or leaf): 32 bytes, 64 lowercase hex characters. */
export const LedgerHash = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex characters");

/** A device id as the KeyRegistry accepts it: 1..64 base64url characters. */
export const LedgerDeviceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1..64 base64url characters");

/** An Ed25519 or X25519 public key: 32 bytes in canonical base64url. */
export const LedgerPublicKey = PublicKey;

/** An Ed25519 signature: 64 bytes in canonical base64url. */
export const LedgerSignature = Signature;

/**
 * A ledger transaction id: Fabric's and the embedded ledger's are 64 hex characters,
 * but the id is the ledger's to choose, so only printable ASCII of 1..128 characters is required.
 */
export const LedgerTxId = z.string().regex(/^[\x21-\x7e]{1,128}$/, "must be 1..128 printable ASCII characters");

/** A transaction time: ISO 8601 in UTC ("Z"), as Date.prototype.toISOString writes it. */
export const LedgerTime = z.iso.datetime();

/** A non-negative safe integer (tree sizes, leaf indexes, millisecond timestamps). */
export const LedgerIndex = z.number().int().min(0);

/** A Fabric MSP id (Org1MSP, CairnEmbeddedMSP). */
export const LedgerMspId = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, "must be 1..128 characters of A-Z a-z 0-9 . _ -");

/** Who did something on chain: the MSP id and SHA-256 (hex) of the X.509 identity's id. */
export const LedgerActor = z.object({ mspId: LedgerMspId, idHash: LedgerRef });
export type LedgerActor = z.infer<typeof LedgerActor>;
