/**
 * The ledger worker on the real network: key registrations the peers refuse (a forged
 * device key, a device id the contract rejects, malformed and unknown requests) are
 * marked refused with the contract's code and skipped; the good registrations queued
 * behind them reach the chain and messages stored meanwhile are anchored.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { logSigner, startLedgerWorker, userRef } from "@cairn/anchoring";
import { startWitness } from "@cairn/cli/witness";
import { createRoom, createUser, queuedUser, queueRefusedRegistrations, send, SERVER_SECRET } from "@cairn/anchoring/testing";
import { enqueueLedgerTx } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import type { FabricLedger } from "@cairn/ledger";
import { createLogger } from "@cairn/log";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adoptChainLog, ledgerAs } from "./helpers";

let db: TestDatabase;
let ledger: FabricLedger;

beforeAll(async () => {
  db = await createTestDatabase();
  ledger = ledgerAs("org1Appender");
  await adoptChainLog(db.prisma, ledger);
});
afterAll(async () => {
  await ledger.close();
  await db.drop();
});

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("the ledger worker on Fabric", () => {
  it("skips registrations the peers refuse, registers the ones behind them and keeps anchoring", async () => {
    const sender = await createUser(db.prisma, ledger, "sender");
    const roomId = await createRoom(db.prisma, sender);
    const refusedUser = await queuedUser(db.prisma, "mallory");
    const expected = await queueRefusedRegistrations(db.prisma, refusedUser.id);
    const good = await queuedUser(db.prisma, "grace");
    // Offboarding by the service identity alone: revoking only removes trust.
    const leaver = await queuedUser(db.prisma, "leaver");
    await enqueueLedgerTx(db.prisma, "deactivateUser", { userId: leaver.id, auditLeafIndex: 3 });
    const leaves: number[] = [];
    for (let i = 0; i < 4; i++) leaves.push((await send(db.prisma, roomId, sender, i)).leafIndex);

    const logs: string[] = [];
    // Org2's witness, as `npm start --ledger fabric` runs it: every checkpoint goes to it for cosigning.
    const log = logSigner(SERVER_SECRET);
    const witnessDir = mkdtempSync(path.join(tmpdir(), "cairn-witness-org2-"));
    const witness = await startWitness({ dataDir: witnessDir, port: 0, name: "witness.org2.example.com", logKey: log.verifierKey });
    const worker = startLedgerWorker({
      prisma: db.prisma,
      ledger,
      databaseUrl: db.url,
      serverSecret: SERVER_SECRET,
      log: createLogger("info", (line) => logs.push(line)),
      intervalMs: 50,
      maxBatch: 100,
      witnesses: [witness.url],
      logSigner: log,
    });
    try {
      await until(async () => {
        const pending = await db.prisma.ledgerOutbox.count({ where: { doneAt: null } });
        const size = (await ledger.getLatestCheckpoint())?.treeSize ?? 0;
        return pending === 0 && size > Math.max(...leaves);
      }, 90_000);
    } finally {
      await worker.stop();
      await witness.close();
      rmSync(witnessDir, { recursive: true, force: true });
    }
    // The checkpoint the chain committed is cosigned by Org2's witness.
    const latest = await ledger.getLatestCheckpoint();
    const cosigned = await db.prisma.checkpointCosignature.findMany({ where: { treeSize: BigInt(latest?.treeSize ?? 0) } });
    expect(cosigned.map((c) => [c.witness, c.origin])).toEqual([["witness.org2.example.com", log.origin]]);

    for (const i of leaves) expect(await ledger.getLeaf(i)).not.toBeNull();
    expect((await ledger.getKeys(userRef(SERVER_SECRET, good.id)))?.devices.map((d) => d.deviceId)).toEqual([good.deviceId]);
    expect((await ledger.getKeys(userRef(SERVER_SECRET, refusedUser.id)))?.devices.map((d) => d.deviceId)).toEqual([refusedUser.deviceId]);
    const left = await ledger.getKeys(userRef(SERVER_SECRET, leaver.id));
    expect(left?.deactivation).toMatchObject({ auditLeafIndex: 3, by: { mspId: "Org1MSP" } });
    expect(left?.devices.map((d) => [d.revokedTxId, d.revocationSignature])).toEqual([[left?.deactivation?.txId, null]]);
    const refused = await db.prisma.ledgerOutbox.findMany({ where: { txId: null }, orderBy: { id: "asc" } });
    expect(refused.map((r) => [r.kind, r.lastError?.split(":")[0]])).toEqual(expected);
    // The relay log names each refusal for the admin.
    const warnings = logs.map((l) => JSON.parse(l) as { msg: string; reason?: string }).filter((l) => l.msg.startsWith("ledger refused"));
    expect(warnings.map((w) => w.reason?.split(":")[0])).toEqual(expected.map(([, code]) => code));
  });
});
