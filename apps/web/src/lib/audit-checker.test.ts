/**
 * The browser's own audit check against real RFC 9162 proofs: honest proofs verify,
 * a wrong proof or a checkpoint that does not extend the one checked before raises
 * the persistent alarm, and an unreachable server leaves messages unjudged.
 */
import {
  checkpointBody,
  consistencyProof,
  cosignatureMessage,
  cosignaturePayload,
  formatVerifierKey,
  inclusionProof,
  leafHash,
  MemoryTree,
  noteKeyId,
  parseVerifierKey,
  rootFromLeaves,
  SIG_TYPE_COSIGNATURE_V1,
  signatureLine,
} from "@cairn/audit";
import { ed25519Signer, verifyEd25519 } from "@cairn/audit/node";
import { hex } from "@cairn/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AuditChecker, type AuditCheckerDeps } from "./audit-checker";

const leaves = Array.from({ length: 40 }, (_, i) => leafHash(new TextEncoder().encode(`leaf ${i}`)));

function memoryStorage(): Pick<Storage, "getItem" | "setItem"> {
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v) };
}

/** A log of `log` leaves served honestly, except what `tamper` changes. */
function world(log: Uint8Array[], tamper: { proof?: boolean; fork?: boolean } = {}, storage = memoryStorage()) {
  const deps: AuditCheckerDeps = {
    checkpoint: (size) => {
      const l = tamper.fork && size > 10 ? log.map((h, i) => (i === 3 ? leafHash(new Uint8Array([9])) : h)) : log;
      return Promise.resolve(size <= log.length ? { treeSize: size, rootHash: hex(rootFromLeaves(l.slice(0, size))) } : null);
    },
    proofs: (size, idx) => {
      const tree = new MemoryTree(log.slice(0, size));
      return Promise.resolve({
        treeSize: size,
        proofs: idx.map((i) => ({ leafIndex: i, path: inclusionProof(i, size, tree.getter).map((h, k) => (tamper.proof && k === 0 ? hex(leafHash(h)) : hex(h))) })),
      });
    },
    consistency: (from, to) => Promise.resolve({ from, to, path: consistencyProof(from, to, new MemoryTree(log.slice(0, to)).getter).map(hex) }),
    storage,
    key: "test",
  };
  return { deps, storage };
}

const items = (n: number) => leaves.slice(0, n).map((h, i) => ({ leafIndex: i, leafHash: h }));

describe("AuditChecker", () => {
  it("verifies every message's proof against the ledger's checkpoint, then a later one after a consistency proof", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 20 }), async (first, more) => {
        const checker = new AuditChecker(world(leaves).deps);
        const a = (await checker.verify(items(first), first)).verdicts;
        expect([...a.values()].every((v) => v === "verified") && a.size === first).toBe(true);
        const b = (await checker.verify(items(first + more), first + more)).verdicts;
        expect(b.size).toBe(first + more);
        expect(checker.getAlarm()).toBeNull();
      }),
      { numRuns: 30 },
    );
  });

  it("a wrong proof fails the message and raises an alarm that survives a reload", async () => {
    const { deps, storage } = world(leaves, { proof: true });
    const checker = new AuditChecker(deps);
    const { verdicts } = await checker.verify(items(8), 8);
    expect([...verdicts.values()]).toContain("failed");
    expect(checker.getAlarm()).toContain("does not lead to checkpoint 8");
    expect(new AuditChecker(world(leaves, {}, storage).deps).getAlarm()).toContain("checkpoint 8");
  });

  it("a later checkpoint that does not extend the one checked before (a rewritten log) raises the alarm", async () => {
    const { deps } = world(leaves, { fork: true });
    const checker = new AuditChecker(deps);
    await checker.verify(items(8), 8);
    expect(checker.getAlarm()).toBeNull();
    await checker.verify(items(20), 20);
    expect(checker.getAlarm()).toContain("does not extend checkpoint 8");
  });

  it("a message beyond every checkpoint, or proofs that cannot be fetched, are left unjudged without alarm", async () => {
    const { deps } = world(leaves.slice(0, 5));
    const checker = new AuditChecker({ ...deps, proofs: () => Promise.reject(new Error("offline")) });
    expect((await checker.verify(items(5), 5)).verdicts.size).toBe(0);
    const beyond = (await new AuditChecker(world(leaves.slice(0, 5)).deps).verify(items(6), 6)).verdicts;
    expect(beyond.size).toBe(0);
    expect(checker.getAlarm()).toBeNull();
  });

  it("counts the named witnesses whose cosignature of the checkpoint verifies", async () => {
    const witness = ed25519Signer(new Uint8Array(32).fill(4));
    const other = ed25519Signer(new Uint8Array(32).fill(6));
    const origin = "cairn.audit/test";
    const keyOf = (name: string, pub: Uint8Array) => parseVerifierKey(formatVerifierKey(name, SIG_TYPE_COSIGNATURE_V1, pub));
    const line = (name: string, signer: typeof witness, size: number) => {
      const body = checkpointBody({ origin, treeSize: size, rootHash: rootFromLeaves(leaves.slice(0, size)) });
      const t = 1_800_000_000;
      return signatureLine({ name, keyId: noteKeyId(name, SIG_TYPE_COSIGNATURE_V1, signer.publicKey), payload: cosignaturePayload(t, signer.sign(cosignatureMessage(body, t))) }).trimEnd();
    };
    const { deps } = world(leaves);
    const checker = new AuditChecker({
      ...deps,
      witnesses: [keyOf("w.org2", witness.publicKey), keyOf("w.org3", other.publicKey)],
      // w.org2 cosigned this checkpoint; "w.org3"'s line is signed by the wrong key; a stranger's is ignored.
      cosignatures: (size) => Promise.resolve({ treeSize: size, origin, cosignatures: [line("w.org2", witness, size), line("w.org3", witness, size), line("stranger", other, size)] }),
      verifySignatures: (jobs) => Promise.resolve(jobs.map((j) => verifyEd25519(j.publicKey, j.message, j.signature))),
    });
    const r = await checker.verify(items(6), 6);
    expect(r.witnessed).toEqual({ count: 1, of: 2 });
    expect(checker.getAlarm()).toBeNull();
  });
});
