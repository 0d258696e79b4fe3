/**
 * Issue 5 on the real network: messages anchored on Fabric by the relay's own
 * anchoring code, exported with `cairn export`'s exporter, and verified against the
 * chain through the OTHER organisation's peer (Org2) — clean, then tampered.
 */
import { createHash } from "node:crypto";
import { verifyBundle, type VerifyReport } from "@cairn/audit";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import type { Ledger } from "@cairn/ledger";
import { fromHex } from "@cairn/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { exportRoom } from "../../apps/cli/src/audit/export";
import { createLineHash, decodeBase64Url, openEnvelope, sha256, verifyEd25519 } from "../../apps/cli/src/audit/node-crypto";
import { anchorAll, createRoom, createUser, send, SERVER_SECRET } from "../audit/fixture";
import { ledgerAs } from "./helpers";

let db: TestDatabase;
let relayLedger: Ledger;
let org2View: Ledger;
let bundle: string[];
const MESSAGES = 12;

/**
 * The suite's network already holds other tests' audit batches. A Cairn database
 * paired with it starts where the chain's log ends: the earlier leaves are copied
 * in (as a deployment restoring its log from the chain would), so proofs can be built.
 */
async function adoptChainLog(): Promise<void> {
  let next = 0;
  const size = (await relayLedger.getLatestCheckpoint())?.treeSize ?? 0;
  while (next < size) {
    const batch = await relayLedger.getBatch?.(next);
    if (!batch) throw new Error(`no batch at ${next}`);
    await db.prisma.auditLeaf.createMany({
      data: batch.leafHashes.map((h, k) => ({ leafIndex: BigInt(next + k), leafHash: new Uint8Array(fromHex(h)), kind: "foreign" })),
    });
    next = batch.treeSize;
  }
  await db.prisma.auditHead.update({ where: { id: 1 }, data: { nextLeaf: BigInt(size) } });
}

const verify = (lines: string[]): Promise<VerifyReport> =>
  verifyBundle(lines, { ledger: org2View, verifyEd25519, sha256, decodeBase64Url, openEnvelope, createLineHash });

beforeAll(async () => {
  db = await createTestDatabase();
  relayLedger = ledgerAs("org1Appender");
  org2View = ledgerAs("org2User");
  await adoptChainLog();
  const admin = await createUser(db.prisma, relayLedger, "admin1", "admin");
  const alice = await createUser(db.prisma, relayLedger, "alice");
  const bob = await createUser(db.prisma, relayLedger, "bob");
  const roomId = await createRoom(db.prisma, alice);
  for (let i = 0; i < MESSAGES; i++) {
    await send(db.prisma, roomId, i % 2 ? bob : alice, i);
    if (i === 5) await anchorAll(db.prisma, relayLedger, 4);
  }
  await anchorAll(db.prisma, relayLedger, 4);
  const lines: string[] = [];
  const result = await exportRoom({
    prisma: db.prisma,
    ledger: relayLedger,
    serverSecret: SERVER_SECRET,
    roomId,
    exporterUserId: admin.id,
    out: (l) => void lines.push(l.replace(/\n$/, "")),
  });
  expect(result.anchored).toBe(MESSAGES);
  await anchorAll(db.prisma, relayLedger, 100); // the export's own leaf
  bundle = lines;
}, 180_000);

afterAll(async () => {
  await relayLedger?.close();
  await org2View?.close();
  await db?.drop();
});

describe("export and verification against the Fabric network", () => {
  test("a clean export verifies against the chain as Org2's peer records it", async () => {
    const report = await verify(bundle);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.messages).toBe(MESSAGES);
    expect(report.anchored).toBe(MESSAGES);
  });

  test("a forged checkpoint root, re-sealed, is caught by asking the chain", async () => {
    const objs = bundle.map((l) => JSON.parse(l) as Record<string, unknown> & { type: string });
    const cp = objs.find((o) => o.type === "checkpoint");
    if (!cp) throw new Error("no checkpoint line");
    cp.rootHash = createHash("sha256").update("forged").digest("hex");
    const body = objs.filter((o) => o.type !== "trailer").map((o) => JSON.stringify(o));
    const trailer = objs[objs.length - 1] as Record<string, unknown>;
    const hash = createHash("sha256");
    for (const l of body) hash.update(`${l}\n`);
    const tampered = [...body, JSON.stringify({ ...trailer, sha256: hash.digest("hex") })];
    const report = await verify(tampered);
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => f.code)).toContain("forged-checkpoint");
  });
});
