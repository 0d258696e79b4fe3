import { describe, expect, it } from "vitest";
import { consistencyProof } from "../consistency";
import { leafHash } from "../hash";
import { MemoryTree } from "../subtree";
import { rootFromLeaves } from "../frontier";
import { ed25519Signer as ed25519FromSeed, verifyEd25519 } from "../node/node-crypto";
import {
  checkpointBody,
  cosignatureMessage,
  formatSignedNote,
  noteBytes,
  noteKeyId,
  parseSignatureLine,
  parseVerifierKey,
  formatVerifierKey,
  SIG_TYPE_ED25519,
  splitCosignature,
} from "./signed-note";
import { addCheckpoint, type WitnessDeps, type WitnessedTree } from "./witness";

const ORIGIN = "cairn.example/log";
const logKey = ed25519FromSeed(new Uint8Array(32).fill(1));
const witnessKey = ed25519FromSeed(new Uint8Array(32).fill(2));
const leaves = Array.from({ length: 30 }, (_, i) => leafHash(new Uint8Array([i])));
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

const deps: WitnessDeps = {
  witness: { name: "witness.org2", publicKey: witnessKey.publicKey, sign: (m) => witnessKey.sign(m) },
  log: { origin: ORIGIN, key: parseVerifierKey(formatVerifierKey(ORIGIN, SIG_TYPE_ED25519, logKey.publicKey)) },
  verifyEd25519,
  now: () => 1_800_000_000,
};

function signed(size: number, log = leaves, signer = logKey): string {
  const body = checkpointBody({ origin: ORIGIN, treeSize: size, rootHash: rootFromLeaves(log.slice(0, size)) });
  return formatSignedNote(body, [{ name: ORIGIN, keyId: noteKeyId(ORIGIN, SIG_TYPE_ED25519, signer.publicKey), payload: signer.sign(noteBytes(body)) }]);
}

function request(old: number, size: number, log = leaves, signer = logKey): string {
  const proof = old === 0 || old === size ? [] : consistencyProof(old, size, new MemoryTree(log.slice(0, size)).getter);
  return `old ${old}\n${proof.map((h) => `${b64(h)}\n`).join("")}\n${signed(size, log, signer)}`;
}

describe("the witness (tlog-witness)", () => {
  it("cosigns the first checkpoint and each one that extends it, with a cosignature/v1 anyone can check", () => {
    const first = addCheckpoint(null, request(0, 8), deps);
    expect(first.status).toBe(200);
    const state = (first as { state: WitnessedTree }).state;
    const line = parseSignatureLine((first as { body: string }).body.trimEnd());
    const { timestamp, signature } = splitCosignature(line.payload);
    expect(timestamp).toBe(1_800_000_000);
    const body = checkpointBody({ origin: ORIGIN, treeSize: 8, rootHash: rootFromLeaves(leaves.slice(0, 8)) });
    expect(verifyEd25519(witnessKey.publicKey, cosignatureMessage(body, timestamp), signature)).toBe(true);
    const next = addCheckpoint(state, request(8, 20), deps);
    expect(next).toMatchObject({ status: 200, state: { treeSize: 20 } });
    // The same tree again is cosigned again (no proof needed).
    expect(addCheckpoint(state, request(8, 8), deps).status).toBe(200);
  });

  it("refuses a forked log: another root at the size it cosigned, or a tree that does not extend it", () => {
    const state = (addCheckpoint(null, request(0, 8), deps) as { state: WitnessedTree }).state;
    const forked = leaves.map((h, i) => (i === 2 ? leafHash(new Uint8Array([99])) : h));
    expect(addCheckpoint(state, request(8, 8, forked), deps)).toEqual({ status: 409, body: "8\n" });
    // A later tree of the forked log: its consistency proof from the witness's root fails.
    const forkedProof = consistencyProof(8, 20, new MemoryTree(forked.slice(0, 20)).getter);
    const req = `old 8\n${forkedProof.map((h) => `${b64(h)}\n`).join("")}\n${signed(20, forked)}`;
    expect(addCheckpoint(state, req, deps).status).toBe(422);
  });

  it("answers 409 with its size when the log's idea of it is stale, 403 for another signer, 404 for another log, 400 for junk", () => {
    const state = (addCheckpoint(null, request(0, 8), deps) as { state: WitnessedTree }).state;
    expect(addCheckpoint(state, request(0, 20), deps)).toEqual({ status: 409, body: "8\n" });
    expect(addCheckpoint(state, request(8, 20, leaves, witnessKey), deps).status).toBe(403);
    expect(addCheckpoint(state, request(8, 20), { ...deps, log: { ...deps.log, origin: "other/log" } }).status).toBe(404);
    for (const junk of ["", "old x\n\n", "old 8\nnot-a-hash\n\n" + signed(20), `old 8\n${signed(20)}`]) {
      expect(addCheckpoint(state, junk, deps).status).toBe(400);
    }
    expect(addCheckpoint(state, `old 8\n\n${signed(4)}`, deps).status).toBe(400);
  });
});
