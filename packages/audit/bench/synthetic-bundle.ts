/**
 * A synthetic but cryptographically real bundle for the verify benchmark: Ed25519
 * identity and device keys, envelopes signed by the devices, the room's leaves
 * interleaved with two other rooms' (stride 3) in an in-memory RFC 9162 tree, one
 * checkpoint per 500 messages (the exporter's page policy), the export's own leaf.
 * The ledger is an in-memory LedgerView over the same records: the benchmark
 * measures the verifier, not a ledger round trip (about one call per 500 messages).
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { auditExportData, auditLeafData, deviceCertificateBytes, envelopeSigningBytes, type Envelope } from "@cairn/protocol";
import { BundleWriter, hashRefs, inclusionProof, leafHash, MemoryTree, rangeRefs, type LineSink, type LedgerView } from "../src/index";

const b64 = (u: Uint8Array) => Buffer.from(u).toString("base64url");
const hexOf = (u: Uint8Array) => Buffer.from(u).toString("hex");

function ed25519(): { pub: Uint8Array; key: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const der = publicKey.export({ format: "der", type: "spki" });
  return { pub: new Uint8Array(der.subarray(der.length - 32)), key: privateKey };
}

export interface SyntheticBundle {
  ledger: LedgerView;
  /** Signing bytes, signature and key of every message, for the raw Ed25519 baseline. */
  raw: { message: Uint8Array; signature: Uint8Array; publicKey: Uint8Array }[];
}

/** Writes a bundle of `count` messages to `sink`; keeps the raw signing inputs of the first `keepRaw`. */
export async function syntheticBundle(count: number, sink: LineSink, opts: { ciphertextBytes?: number; keepRaw?: number } = {}): Promise<SyntheticBundle> {
  const ciphertextBytes = opts.ciphertextBytes ?? 256;
  const keepRaw = opts.keepRaw ?? count;
  const roomId = "3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b";
  const userId = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";
  const userRef = hexOf(createHash("sha256").update(userId).digest());
  const identity = ed25519();
  const devices = [0, 1].map(() => ({ id: b64(randomBytes(16)), agreement: new Uint8Array(randomBytes(32)), ...ed25519() }));
  const record = {
    userRef,
    identityPublicKey: b64(identity.pub),
    registeredTxId: "tx-identity",
    registeredAt: "2026-11-01T00:00:00.000Z",
    devices: devices.map((d) => ({
      deviceId: d.id,
      signingPublicKey: b64(d.pub),
      agreementPublicKey: b64(d.agreement),
      signature: b64(
        sign(null, deviceCertificateBytes({ identityPublicKey: identity.pub, deviceId: d.id, signingPublicKey: d.pub, agreementPublicKey: d.agreement }), identity.key),
      ),
      registeredTxId: `tx-${d.id}`,
      registeredAt: "2026-11-01T00:00:00.000Z",
      revokedAtMs: null,
      revokedTxId: null,
    })),
  };

  // Messages and every leaf of the log (the room's at 3i+1, other rooms' around them).
  const start = Date.parse("2026-11-02T00:00:00.000Z");
  const leaves: Uint8Array[] = [];
  const messages: { envelope: Envelope; roomSeq: number; leafIndex: number; serverTimeMs: number; device: number }[] = [];
  const raw: SyntheticBundle["raw"] = [];
  const ciphertext = new Uint8Array(randomBytes(ciphertextBytes));
  for (let i = 0; i < count; i++) {
    const device = devices[i % 2] as (typeof devices)[number];
    const unsigned = {
      version: 1,
      roomId,
      senderDeviceId: device.id,
      sessionId: new Uint8Array(randomBytes(16)),
      index: i,
      prevHash: new Uint8Array(randomBytes(32)),
      nonce: new Uint8Array(randomBytes(24)),
      ciphertext,
    };
    const signing = envelopeSigningBytes(unsigned);
    const signature = new Uint8Array(sign(null, signing, device.key));
    if (i < keepRaw) raw.push({ message: signing, signature, publicKey: device.pub });
    const envelope = { ...unsigned, signature };
    const m = { envelope, roomSeq: i + 1, leafIndex: 3 * i + 1, serverTimeMs: start + i, device: i % 2 };
    messages.push(m);
    leaves.push(leafHash(new Uint8Array(randomBytes(8))));
    leaves.push(leafHash(auditLeafData(m)));
    leaves.push(leafHash(new Uint8Array(randomBytes(8))));
  }
  const tree = new MemoryTree(leaves);

  const checkpoints = new Map<number, { treeSize: number; rootHash: string; txId: string; time: string }>();
  const writer = new BundleWriter(sink, () => createHash("sha256"));
  const exportedAt = new Date(start + count + 60_000);
  await writer.header({
    format: "cairn-audit-bundle",
    version: 1,
    roomId,
    range: { from: null, to: null },
    exportedAt: exportedAt.toISOString(),
    exporterRef: userRef,
    ledger: "embedded",
    extent: { firstSeq: count > 0 ? 1 : null, lastSeq: count > 0 ? count : null, messages: count },
  });
  await writer.keys({ userId, userRef, record });
  for (let p = 0; p < count; p += 500) {
    const page = messages.slice(p, p + 500);
    const treeSize = Math.min(leaves.length, (page[page.length - 1] as (typeof page)[number]).leafIndex + 2);
    const cp = { treeSize, rootHash: hexOf(hashRefs(rangeRefs(0, treeSize), tree.getter)), txId: `tx-cp-${treeSize}`, time: new Date(start + p + 1_000).toISOString() };
    checkpoints.set(treeSize, cp);
    await writer.checkpoint(cp);
    for (const m of page) {
      await writer.message({
        roomSeq: m.roomSeq,
        leafIndex: m.leafIndex,
        serverTime: new Date(m.serverTimeMs).toISOString(),
        senderUserId: userId,
        senderDeviceId: m.envelope.senderDeviceId,
        envelope: {
          version: 1,
          roomId,
          senderDeviceId: m.envelope.senderDeviceId,
          sessionId: b64(m.envelope.sessionId),
          index: m.envelope.index,
          prevHash: b64(m.envelope.prevHash),
          nonce: b64(m.envelope.nonce),
          ciphertext: b64(m.envelope.ciphertext),
          signature: b64(m.envelope.signature),
        },
        leafHash: hexOf(tree.getter(0, m.leafIndex)),
        proof: { treeSize, path: inclusionProof(m.leafIndex, treeSize, tree.getter).map(hexOf) },
        plaintext: null,
      });
    }
  }
  const exportLeafIndex = leaves.length;
  const exportLeaf = hexOf(leafHash(auditExportData({ exporterRef: userRef, roomId, exportedAtMs: exportedAt.getTime(), bundleSha256: writer.digest() })));
  await writer.close(exportLeafIndex);

  const ledger: LedgerView = {
    getKeys: (ref) => Promise.resolve(ref === userRef ? record : null),
    getCheckpoint: (size) => Promise.resolve(checkpoints.get(size) ?? null),
    getLeaf: (index) => Promise.resolve(index === exportLeafIndex ? { index, leafHash: exportLeaf } : null),
  };
  return { ledger, raw };
}
