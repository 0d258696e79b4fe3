/**
 * Issue 5 on the real network: messages anchored on Fabric by the relay's own
 * anchoring code, exported with `cairn export`'s exporter, and verified against the
 * chain through the OTHER organisation's peer (Org2) — clean, then tampered.
 */
import { createHash } from "node:crypto";
import { verifyBundle, type VerifyReport } from "@cairn/audit";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import type { Ledger } from "@cairn/ledger";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { exportRoom } from "@cairn/anchoring";
import { nodeVerifyHost } from "@cairn/audit/node";
import { anchorAll, createRoom, createUser, send, SERVER_SECRET } from "@cairn/anchoring/testing";
import { adoptChainLog, ledgerAs } from "./helpers";

let db: TestDatabase;
let relayLedger: Ledger;
let org2View: Ledger;
let bundle: string[];
const MESSAGES = 12;

const verify = (lines: string[]): Promise<VerifyReport> =>
  verifyBundle(lines, { ...nodeVerifyHost(), ledger: org2View });

beforeAll(async () => {
  db = await createTestDatabase();
  relayLedger = ledgerAs("org1Appender");
  org2View = ledgerAs("org2User");
  await adoptChainLog(db.prisma, relayLedger);
  const admin = await createUser(db.prisma, relayLedger, "admin1", "admin");
  const alice = await createUser(db.prisma, relayLedger, "alice");
  const bob = await createUser(db.prisma, relayLedger, "bob");
  const roomId = await createRoom(db.prisma, alice, bob);
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
