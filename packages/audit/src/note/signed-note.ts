/**
 * C2SP signed notes and checkpoints (c2sp.org/signed-note, c2sp.org/tlog-checkpoint,
 * c2sp.org/tlog-cosignature), isomorphic: the text formats, key ids and the messages
 * that are signed. Ed25519 itself is the caller's (sign/verify functions passed in).
 *
 *   checkpoint body:  "<origin>\n<tree size>\n<base64 root>\n"
 *   signed note:      body + "\n" + one "— <name> <base64(keyId ‖ signature)>\n" per signature
 *   log signature:    Ed25519 over the body; keyId = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ pub)[:4]
 *   cosignature/v1:   Ed25519 over "cosignature/v1\ntime <t>\n" + body; the line holds
 *                     keyId ‖ t (8 bytes, big-endian seconds) ‖ signature;
 *                     keyId = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ pub)[:4]
 */
import { sha256 } from "@noble/hashes/sha2.js";

export const SIG_TYPE_ED25519 = 0x01;
export const SIG_TYPE_COSIGNATURE_V1 = 0x04;
const EM_DASH = "\u2014";
const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

/** A malformed note, checkpoint, key or signature line: never a guess. */
export class NoteError extends Error {
  readonly code = "NOTE_MALFORMED";
  constructor(message: string) {
    super(message);
    this.name = "NoteError";
  }
}

function b64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function unb64(text: string, what: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new NoteError(`${what} is not standard base64`);
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const NAME = /^[^\s+]{1,255}$/u;

function checkName(name: string): void {
  if (!NAME.test(name)) throw new NoteError("a key name is 1 to 255 characters, with no space or '+'");
}

/** The 4-byte key id of a signer: SHA-256(name ‖ 0x0A ‖ type ‖ publicKey)[:4]. */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): Uint8Array {
  checkName(name);
  const n = enc.encode(name);
  const input = new Uint8Array(n.length + 2 + publicKey.length);
  input.set(n, 0);
  input[n.length] = 0x0a;
  input[n.length + 1] = type;
  input.set(publicKey, n.length + 2);
  return sha256(input).slice(0, 4);
}

export interface CheckpointFields {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
}

/** The checkpoint body a log signs and witnesses cosign. */
export function checkpointBody(c: CheckpointFields): string {
  if (c.origin.length === 0 || c.origin.length > 255 || /[\n\r]/.test(c.origin)) throw new NoteError("the origin is one line of 1 to 255 characters");
  if (!Number.isSafeInteger(c.treeSize) || c.treeSize < 0) throw new NoteError("the tree size is a non-negative integer");
  if (c.rootHash.length !== 32) throw new NoteError("the root hash is 32 bytes");
  return `${c.origin}\n${c.treeSize}\n${b64(c.rootHash)}\n`;
}

/** @throws NoteError unless `body` is a checkpoint body (extension lines are kept out of the fields) */
export function parseCheckpointBody(body: string): CheckpointFields {
  const lines = body.split("\n");
  if (lines.length < 4 || lines[lines.length - 1] !== "") throw new NoteError("a checkpoint body is at least three lines, each ended by a newline");
  const [origin, size, root] = lines as [string, string, string];
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size)) throw new NoteError("the checkpoint's tree size is not a decimal number");
  const rootHash = unb64(root, "the checkpoint's root hash");
  if (rootHash.length !== 32) throw new NoteError("the checkpoint's root hash is not 32 bytes");
  return { origin, treeSize: Number(size), rootHash };
}

/** One signature line: the signer's name and the bytes after it (key id first). */
export interface NoteSignature {
  name: string;
  keyId: Uint8Array;
  /** What follows the key id (signature; for cosignatures, timestamp then signature). */
  payload: Uint8Array;
}

export function signatureLine(s: NoteSignature): string {
  checkName(s.name);
  const bytes = new Uint8Array(4 + s.payload.length);
  bytes.set(s.keyId, 0);
  bytes.set(s.payload, 4);
  return `${EM_DASH} ${s.name} ${b64(bytes)}\n`;
}

/** @throws NoteError unless `line` (without its newline) is a signature line */
export function parseSignatureLine(line: string): NoteSignature {
  const m = /^\u2014 (\S+) (\S+)$/u.exec(line);
  if (!m) throw new NoteError("a signature line is '— <name> <base64>'");
  const bytes = unb64(m[2] as string, "a signature");
  if (bytes.length < 5) throw new NoteError("a signature is a key id and at least one byte");
  return { name: m[1] as string, keyId: bytes.slice(0, 4), payload: bytes.slice(4) };
}

/** The signed note: its body and signature lines. */
export function formatSignedNote(body: string, signatures: readonly NoteSignature[]): string {
  if (!body.endsWith("\n")) throw new NoteError("a note body ends with a newline");
  return `${body}\n${signatures.map(signatureLine).join("")}`;
}

/** @throws NoteError unless `text` is a signed note with at least one signature */
export function parseSignedNote(text: string): { body: string; signatures: NoteSignature[] } {
  const at = text.lastIndexOf("\n\n");
  if (at < 0 || !text.endsWith("\n")) throw new NoteError("a signed note is a body, a blank line and signature lines");
  const body = text.slice(0, at + 1);
  const lines = text.slice(at + 2, -1).split("\n");
  if (lines.length === 0 || lines.length > 100) throw new NoteError("a signed note has 1 to 100 signatures");
  return { body, signatures: lines.map(parseSignatureLine) };
}

/** What a witness signs for a cosignature at `timestamp` (seconds). */
export function cosignatureMessage(body: string, timestamp: number): Uint8Array {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new NoteError("a cosignature time is whole seconds");
  return enc.encode(`cosignature/v1\ntime ${timestamp}\n${body}`);
}

/** The bytes of a note body, as the log signs them. */
export function noteBytes(body: string): Uint8Array {
  return enc.encode(body);
}

function u64be(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** A cosignature's line payload: timestamp then signature. */
export function cosignaturePayload(timestamp: number, signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + signature.length);
  out.set(u64be(timestamp), 0);
  out.set(signature, 8);
  return out;
}

/** @throws NoteError unless the payload is 8 bytes of time and a 64-byte signature */
export function splitCosignature(payload: Uint8Array): { timestamp: number; signature: Uint8Array } {
  if (payload.length !== 72) throw new NoteError("a cosignature is a key id, 8 bytes of time and a 64-byte signature");
  const t = new DataView(payload.buffer, payload.byteOffset, 8).getBigUint64(0);
  if (t > BigInt(Number.MAX_SAFE_INTEGER)) throw new NoteError("a cosignature time is out of range");
  return { timestamp: Number(t), signature: payload.slice(8) };
}

/** A verifier key as C2SP writes it: "<name>+<keyid hex>+<base64(type ‖ public key)>". */
export interface VerifierKey {
  name: string;
  type: number;
  publicKey: Uint8Array;
  keyId: Uint8Array;
}

export function formatVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  const id = noteKeyId(name, type, publicKey);
  const typed = new Uint8Array(1 + publicKey.length);
  typed[0] = type;
  typed.set(publicKey, 1);
  return `${name}+${[...id].map((b) => b.toString(16).padStart(2, "0")).join("")}+${b64(typed)}`;
}

/** @throws NoteError unless `text` is a verifier key whose id matches its name and key */
export function parseVerifierKey(text: string): VerifierKey {
  const m = /^([^\s+]{1,255})\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/u.exec(text.trim());
  if (!m) throw new NoteError("a verifier key is '<name>+<8 hex digits>+<base64>'");
  const typed = unb64(m[3] as string, "a verifier key");
  if (typed.length !== 33 || (typed[0] !== SIG_TYPE_ED25519 && typed[0] !== SIG_TYPE_COSIGNATURE_V1)) {
    throw new NoteError("a verifier key is an Ed25519 or cosignature/v1 key of 32 bytes");
  }
  const name = m[1] as string;
  const type = typed[0] as number;
  const publicKey = typed.slice(1);
  const keyId = noteKeyId(name, type, publicKey);
  if ([...keyId].map((b) => b.toString(16).padStart(2, "0")).join("") !== m[2]) throw new NoteError("the verifier key's id does not match its name and key");
  return { name, type, publicKey, keyId };
}

/** Whether two key ids are equal. */
export function sameKeyId(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === 4 && b.length === 4 && a.every((x, i) => x === b[i]);
}

/** Decodes note text bytes strictly as UTF-8. @throws NoteError */
export function noteText(bytes: Uint8Array): string {
  try {
    return dec.decode(bytes);
  } catch {
    throw new NoteError("a note is UTF-8 text");
  }
}

/** One cosignature to check: which witness claims it, and the Ed25519 job that proves it. */
export interface CosignatureClaim {
  name: string;
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/**
 * The cosignature/v1 lines over `body` that name one of `keys` (by name and key id), as
 * signature checks to run; malformed lines and unknown witnesses are skipped. Counting the
 * distinct names whose check passes gives "k of n".
 */
export function cosignatureClaims(body: string, lines: readonly string[], keys: readonly VerifierKey[]): CosignatureClaim[] {
  const claims: CosignatureClaim[] = [];
  for (const text of lines) {
    try {
      const line = parseSignatureLine(text);
      const key = keys.find((k) => k.type === SIG_TYPE_COSIGNATURE_V1 && k.name === line.name && sameKeyId(k.keyId, line.keyId));
      if (!key) continue;
      const { timestamp, signature } = splitCosignature(line.payload);
      claims.push({ name: key.name, publicKey: key.publicKey, message: cosignatureMessage(body, timestamp), signature });
    } catch (err) {
      if (!(err instanceof NoteError)) throw err;
    }
  }
  return claims;
}
