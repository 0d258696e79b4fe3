/**
 * An export of a room with tens of thousands of messages streams in bounded memory:
 * the heap retained while exporting stays far below the bundle's size. The rows are
 * bulk-inserted (the same columns and leaf hashes storeEnvelope writes) to keep the
 * test's setup fast; anchoring and export run the real code.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { leafHashOfMessage, verifyBundle } from "@cairn/audit";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import type { Ledger } from "@cairn/ledger";
import { afterAll, beforeAll, expect, test } from "vitest";
import { exportRoom } from "@cairn/anchoring";
import { decodeBase64Url, sha256, verifyEd25519 } from "@cairn/audit/node";
import { anchorAll, createRoom, createUser, makeEnvelope, openTestLedger, SERVER_SECRET, type TestUser } from "@cairn/anchoring/testing";

const COUNT = 30_000;
const CIPHERTEXT = 2_048;

let db: TestDatabase;
let ledger: Ledger;
let alice: TestUser;
let roomId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  ledger = openTestLedger(db.prisma);
  alice = await createUser(db.prisma, ledger, "alice", "admin");
  roomId = await createRoom(db.prisma, alice);
  // Message leaves follow the room's create event.
  const first = Number((await db.prisma.auditHead.findUniqueOrThrow({ where: { id: 1 } })).nextLeaf);
  const start = Date.now() - COUNT;
  for (let from = 0; from < COUNT; from += 1_000) {
    const envelopes = [];
    const leaves = [];
    for (let i = from; i < Math.min(COUNT, from + 1_000); i++) {
      const envelope = makeEnvelope(roomId, alice, i, new Uint8Array(randomBytes(CIPHERTEXT)));
      const serverTime = new Date(start + i);
      const leafHash = leafHashOfMessage({ envelope, roomSeq: i + 1, serverTimeMs: serverTime.getTime() });
      envelopes.push({
        roomId,
        roomSeq: i + 1,
        senderUserId: alice.id,
        senderDeviceId: alice.deviceId,
        clientMsgId: `bulk-${randomUUID()}`,
        sessionId: new Uint8Array(envelope.sessionId),
        index: i,
        prevHash: new Uint8Array(envelope.prevHash),
        nonce: new Uint8Array(envelope.nonce),
        ciphertext: new Uint8Array(envelope.ciphertext),
        signature: new Uint8Array(envelope.signature),
        serverTime,
        leafIndex: BigInt(first + i),
      });
      leaves.push({ leafIndex: BigInt(first + i), leafHash: new Uint8Array(leafHash), kind: "message" });
    }
    await db.prisma.envelope.createMany({ data: envelopes });
    await db.prisma.auditLeaf.createMany({ data: leaves });
  }
  await db.prisma.room.update({ where: { id: roomId }, data: { lastSeq: COUNT } });
  await db.prisma.auditHead.update({ where: { id: 1 }, data: { nextLeaf: BigInt(first + COUNT) } });
  await anchorAll(db.prisma, ledger, 5_000);
}, 600_000);

afterAll(async () => {
  await ledger?.close();
  await db?.drop();
});

test(`exporting ${COUNT.toLocaleString("en")} messages keeps the heap bounded`, async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const base = process.memoryUsage().heapUsed;
  // Heap retained after a forced collection, sampled after every page (relative to before the export).
  let peak = Number.NEGATIVE_INFINITY;
  let bytes = 0;
  let lines = 0;
  const result = await exportRoom({
    prisma: db.prisma,
    ledger,
    serverSecret: SERVER_SECRET,
    roomId,
    exporterUserId: alice.id,
    out: (line) => {
      bytes += line.length;
      lines += 1;
    },
    onProgress: () => {
      gc?.();
      peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    },
  });
  expect(result.messages).toBe(COUNT);
  expect(result.anchored).toBe(COUNT);
  expect(lines).toBeGreaterThan(COUNT);
  // The bundle is ~90 MB; what the export holds at any time must not grow with it.
  expect(bytes).toBeGreaterThan(80 * 1024 * 1024);
  const bound = gc ? 32 * 1024 * 1024 : 96 * 1024 * 1024;
  expect(peak).toBeLessThan(bound);
  console.log(`export of ${COUNT} messages: ${(bytes / 2 ** 20).toFixed(0)} MiB written, peak retained heap ${(peak / 2 ** 20).toFixed(1)} MiB above the start (gc ${gc ? "forced" : "not exposed"})`);
}, 600_000);

test("and the exported room verifies (streamed back through the verifier)", async () => {
  const lines: string[] = [];
  await exportRoom({ prisma: db.prisma, ledger, serverSecret: SERVER_SECRET, roomId, exporterUserId: alice.id, out: (l) => void lines.push(l.slice(0, -1)) });
  await anchorAll(db.prisma, ledger, 5_000);
  const report = await verifyBundle(lines, { ledger, verifyEd25519, sha256, decodeBase64Url });
  expect(report.findings).toEqual([]);
  expect(report.messages).toBe(COUNT);
}, 600_000);
