/**
 * The sender-key chain ratchet (docs/protocol.md):
 *
 *   mk_i     = KDF(ck_i, 1)   message key of message i
 *   ck_{i+1} = KDF(ck_i, 2)   next chain key
 *
 * KDF is crypto_kdf_derive_from_key: BLAKE2b keyed with the chain key, the subkey id
 * as salt and "cairnchn" as personalisation. Knowing ck_i gives every later key and
 * no earlier one, so erasing old chain keys gives forward secrecy inside a session.
 */
import { KEY_LENGTH } from "@cairn/protocol";
import { sodium } from "./sodium";

/** crypto_kdf context of the chain (exactly 8 bytes). */
const CHAIN_KDF_CONTEXT = "cairnchn";
const MESSAGE_KEY_ID = 1;
const CHAIN_KEY_ID = 2;

/** mk_i from ck_i. */
export function messageKey(chainKey: Uint8Array): Uint8Array {
  return sodium().crypto_kdf_derive_from_key(KEY_LENGTH, MESSAGE_KEY_ID, CHAIN_KDF_CONTEXT, chainKey);
}

/** ck_{i+1} from ck_i. */
export function nextChainKey(chainKey: Uint8Array): Uint8Array {
  return sodium().crypto_kdf_derive_from_key(KEY_LENGTH, CHAIN_KEY_ID, CHAIN_KDF_CONTEXT, chainKey);
}
