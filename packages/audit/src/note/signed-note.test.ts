import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ed25519Signer as ed25519FromSeed, verifyEd25519 } from "../node/node-crypto";
import {
  checkpointBody,
  cosignatureMessage,
  formatSignedNote,
  formatVerifierKey,
  NoteError,
  noteBytes,
  noteKeyId,
  parseCheckpointBody,
  parseSignedNote,
  parseVerifierKey,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
} from "./signed-note";

const log = ed25519FromSeed(new Uint8Array(32).fill(1));
const root = new Uint8Array(32).fill(7);
const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("C2SP signed notes and checkpoints: frozen vectors", () => {
  it("formats a checkpoint body and key ids exactly", () => {
    const body = checkpointBody({ origin: "cairn.example/log", treeSize: 5120, rootHash: root });
    expect(body).toBe("cairn.example/log\n5120\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n");
    expect(hexOf(log.publicKey)).toBe(VECTORS.publicKey);
    expect(hexOf(noteKeyId("cairn.example/log", SIG_TYPE_ED25519, log.publicKey))).toBe(VECTORS.logKeyId);
    expect(hexOf(noteKeyId("witness.example", SIG_TYPE_COSIGNATURE_V1, log.publicKey))).toBe(VECTORS.cosignerKeyId);
    const vkey = formatVerifierKey("cairn.example/log", SIG_TYPE_ED25519, log.publicKey);
    expect(vkey).toBe(VECTORS.verifierKey);
    expect(parseVerifierKey(vkey).publicKey).toEqual(log.publicKey);
    const note = formatSignedNote(body, [{ name: "cairn.example/log", keyId: noteKeyId("cairn.example/log", SIG_TYPE_ED25519, log.publicKey), payload: log.sign(noteBytes(body)) }]);
    expect(note).toBe(VECTORS.signedNote);
    expect(new TextDecoder().decode(cosignatureMessage(body, 1_700_000_000))).toBe(`cosignature/v1\ntime 1700000000\n${body}`);
  });

  it("round-trips any checkpoint and refuses malformed ones", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z./-]{1,40}$/), fc.nat(), fc.uint8Array({ minLength: 32, maxLength: 32 }), (origin, size, hash) => {
        const body = checkpointBody({ origin, treeSize: size, rootHash: hash });
        const back = parseCheckpointBody(body);
        expect(back).toEqual({ origin, treeSize: size, rootHash: hash });
        const note = formatSignedNote(body, [{ name: "l", keyId: new Uint8Array(4), payload: new Uint8Array(64) }]);
        expect(parseSignedNote(note).body).toBe(body);
      }),
    );
    for (const bad of ["o\n01\nAAAA\n", "o\n1\nnot base64!\n", "o\n1\n", "o\n-1\n" + "A".repeat(43) + "=\n"]) {
      expect(() => parseCheckpointBody(bad)).toThrow(NoteError);
    }
    expect(() => parseVerifierKey(VECTORS.verifierKey.replace(/\+[0-9a-f]{8}\+/, "+00000000+"))).toThrow(/does not match/);
  });

  it("a signature verifies only over the exact body", () => {
    const body = checkpointBody({ origin: "o", treeSize: 3, rootHash: root });
    const sig = log.sign(noteBytes(body));
    expect(verifyEd25519(log.publicKey, noteBytes(body), sig)).toBe(true);
    expect(verifyEd25519(log.publicKey, noteBytes(body.replace("3", "4")), sig)).toBe(false);
  });
});

/** Frozen: Ed25519 from the seed 0x01 × 32 (its public key is the well-known 8a88e3dd…), key ids as c2sp.org/signed-note defines them. */
const VECTORS = {
  publicKey: "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c",
  logKeyId: "9528b2a6",
  cosignerKeyId: "3c436f90",
  verifierKey: "cairn.example/log+9528b2a6+AYqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c",
  signedNote:
    "cairn.example/log\n5120\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n\n\u2014 cairn.example/log lSiyphMZjoNj0rFHGzWeWdH2jG7iiFnVdbslqNZvbO6iYGc2/llrfy3wroBdNcERkytvkI+7RARAWmpnWMEtHu+vVAA=\n",
};
