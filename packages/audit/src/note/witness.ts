/**
 * A witness (c2sp.org/tlog-witness), isomorphic core: given the last checkpoint it
 * cosigned for a log and an add-checkpoint request — the size it claims the witness
 * last saw, a consistency proof from there, the log's signed checkpoint — it checks
 * the log's signature and the proof, and only then cosigns (cosignature/v1). It never
 * cosigns two different trees of one size, nor a tree that does not extend the last one.
 *
 *   request:  "old <size>\n" + one base64 hash per line + "\n" + signed note
 *   answers:  200 cosignature line · 409 the witness's size ("<size>\n") · 403 bad log
 *             signature · 404 unknown origin · 422 bad proof · 400 malformed
 */
import { verifyConsistency } from "../consistency";
import {
  checkpointBody,
  cosignatureMessage,
  cosignaturePayload,
  NoteError,
  noteBytes,
  noteKeyId,
  parseCheckpointBody,
  parseSignedNote,
  sameKeyId,
  SIG_TYPE_COSIGNATURE_V1,
  signatureLine,
  type VerifierKey,
} from "./signed-note";

export interface WitnessedTree {
  treeSize: number;
  rootHash: Uint8Array;
}

export interface WitnessIdentity {
  /** The witness's key name (its verifier key names it too). */
  name: string;
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export interface WitnessLog {
  origin: string;
  /** The log's Ed25519 verifier key. */
  key: VerifierKey;
}

export interface WitnessDeps {
  witness: WitnessIdentity;
  log: WitnessLog;
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** Seconds since the epoch. */
  now(): number;
}

export type WitnessAnswer =
  | { status: 200; body: string; state: WitnessedTree }
  | { status: 400 | 403 | 404 | 409 | 422; body: string };

function fromB64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(text)) throw new NoteError("a proof hash is 32 bytes of standard base64");
  const s = atob(text);
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Answers one add-checkpoint request; `state` is the last tree this witness cosigned for the log (null: none yet). */
export function addCheckpoint(state: WitnessedTree | null, request: string, deps: WitnessDeps): WitnessAnswer {
  let old: number;
  let proof: Uint8Array[];
  let body: string;
  let fields: ReturnType<typeof parseCheckpointBody>;
  let signatures: ReturnType<typeof parseSignedNote>["signatures"];
  try {
    const m = /^old (0|[1-9][0-9]{0,15})\n/.exec(request);
    if (!m) throw new NoteError("the request starts with 'old <size>'");
    old = Number(m[1]);
    const rest = request.slice(m[0].length);
    // Proof hashes, one per line, up to the first blank line; the signed note after it.
    const lines: string[] = [];
    let at = 0;
    for (;;) {
      const nl = rest.indexOf("\n", at);
      if (nl < 0) throw new NoteError("the proof ends with a blank line");
      const line = rest.slice(at, nl);
      at = nl + 1;
      if (line === "") break;
      if (lines.length === 63) throw new NoteError("a consistency proof has at most 63 hashes");
      lines.push(line);
    }
    const noteText = rest.slice(at);
    proof = lines.map(fromB64);
    ({ body, signatures } = parseSignedNote(noteText));
    fields = parseCheckpointBody(body);
    // The canonical form only: extension lines are not cosigned.
    if (checkpointBody(fields) !== body) throw new NoteError("the checkpoint carries extension lines this witness does not cosign");
  } catch (err) {
    if (err instanceof NoteError) return { status: 400, body: `${err.message}\n` };
    throw err;
  }
  if (fields.origin !== deps.log.origin) return { status: 404, body: "unknown log origin\n" };
  const logSig = signatures.find((s) => s.name === deps.log.key.name && sameKeyId(s.keyId, deps.log.key.keyId));
  if (!logSig || !deps.verifyEd25519(deps.log.key.publicKey, noteBytes(body), logSig.payload)) {
    return { status: 403, body: "the checkpoint is not signed by the log's key\n" };
  }
  const size = state?.treeSize ?? 0;
  if (old !== size) return { status: 409, body: `${size}\n` };
  if (fields.treeSize < size) return { status: 400, body: "the checkpoint is older than the one this witness cosigned\n" };
  if (state && fields.treeSize === size) {
    if (!equal(fields.rootHash, state.rootHash)) return { status: 409, body: `${size}\n` };
    if (proof.length > 0) return { status: 422, body: "no proof is needed for the same tree\n" };
  } else if (state && size > 0 && !verifyConsistency(size, fields.treeSize, state.rootHash, fields.rootHash, proof)) {
    return { status: 422, body: "the consistency proof does not show this tree extends the last one cosigned\n" };
  }
  const timestamp = deps.now();
  const signature = deps.witness.sign(cosignatureMessage(body, timestamp));
  const line = signatureLine({
    name: deps.witness.name,
    keyId: noteKeyId(deps.witness.name, SIG_TYPE_COSIGNATURE_V1, deps.witness.publicKey),
    payload: cosignaturePayload(timestamp, signature),
  });
  return { status: 200, body: line, state: { treeSize: fields.treeSize, rootHash: fields.rootHash } };
}
