/** The verifier's witness policy from its input: witness verifier keys and how many must have cosigned. */
import { NoteError, parseVerifierKey, SIG_TYPE_COSIGNATURE_V1 } from "../note/signed-note";
import type { WitnessPolicy } from "./verify-deps";

/**
 * @param keys cosignature verifier keys ("<name>+<id>+<key>", as `cairn witness` prints them)
 * @param required k; defaults to every key given
 * @throws NoteError for a malformed key, a key that is not a cosignature key, or k outside 1..n
 */
export function witnessPolicy(keys: readonly string[], required?: number): WitnessPolicy {
  const witnesses = keys.map((k) => {
    const key = parseVerifierKey(k);
    if (key.type !== SIG_TYPE_COSIGNATURE_V1) throw new NoteError(`${key.name}: a witness key is a cosignature/v1 key`);
    return key;
  });
  if (new Set(witnesses.map((w) => w.name)).size !== witnesses.length) throw new NoteError("a witness is named twice");
  const k = required ?? witnesses.length;
  if (!Number.isInteger(k) || k < 1 || k > witnesses.length) throw new NoteError(`the number of witnesses required is 1 to ${witnesses.length}`);
  return { witnesses, required: k };
}
