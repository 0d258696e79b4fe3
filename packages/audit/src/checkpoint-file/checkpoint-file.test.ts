/**
 * Checkpoint files: recording asks the ledger exactly what verifying the bundle asks
 * (checkpoints, key records, the export leaf) plus the newest checkpoint, keeps "the
 * chain has none" answers, and the file read back answers the verifier's questions —
 * and refuses, rather than guesses, the ones it was not asked to record.
 */
import {
  CheckpointFile,
  type LedgerCheckpoint,
  type LedgerKeyRecord,
  type LedgerLeaf,
} from "@cairn/protocol";
import { describe, expect, test } from "vitest";
import { checkpointFileLedger, CheckpointFileGapError } from "./file-ledger";
import { CheckpointFileInvalidError, parseCheckpointFile } from "./parse";
import { recordCheckpointFile, type RecordingLedger } from "./record";

const h = (c: string) => c.repeat(64);
const KEY = "A".repeat(43);
const cp = (treeSize: number): LedgerCheckpoint => ({
  treeSize,
  rootHash: h(String(treeSize % 10)),
  txId: `tx-${treeSize}`,
  time: "2026-12-01T00:00:00.000Z",
});
const keys: LedgerKeyRecord = {
  userRef: h("a"),
  identityPublicKey: KEY,
  registeredTxId: "tx-id",
  registeredAt: "2026-12-01T00:00:00.000Z",
  devices: [
    {
      deviceId: "dev1",
      signingPublicKey: KEY,
      agreementPublicKey: KEY,
      signature: "A".repeat(86),
      registeredTxId: "tx-dev",
      registeredAt: "2026-12-01T00:00:00.000Z",
      revokedAtMs: null,
      revokedTxId: null,
    },
  ],
};
const leaf: LedgerLeaf = { index: 7, leafHash: h("e"), checkpoint: cp(9) };

/** The chain as a test double of the five reads recording makes; `asked` lists what was asked. */
function chain(): RecordingLedger & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    getLatestCheckpoint: () => (asked.push("latest"), Promise.resolve(cp(9))),
    getCheckpoint: (n) => (
      asked.push(`checkpoint ${n}`),
      Promise.resolve(n === 5 || n === 9 ? cp(n) : null)
    ),
    getKeys: (ref) => (
      asked.push(`keys ${ref.slice(0, 4)}`),
      Promise.resolve(ref === keys.userRef ? keys : null)
    ),
    getLeaf: (i) => (asked.push(`leaf ${i}`), Promise.resolve(i === 7 ? leaf : null)),
    getRoomHead: (ref, n) => (asked.push(`room ${ref.slice(0, 4)}@${n}`), Promise.resolve(null)),
  };
}

const bundle = [
  JSON.stringify({ type: "header", format: "cairn-audit-bundle", version: 1 }), // malformed for the parser: skipped
  JSON.stringify({
    type: "keys",
    userId: "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
    userRef: h("a"),
    record: null,
  }),
  JSON.stringify({
    type: "keys",
    userId: "8a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
    userRef: h("b"),
    record: null,
  }),
  JSON.stringify({
    type: "checkpoint",
    treeSize: 5,
    rootHash: h("5"),
    txId: "tx-5",
    time: "2026-12-01T00:00:00.000Z",
  }),
  JSON.stringify({
    type: "checkpoint",
    treeSize: 6,
    rootHash: h("6"),
    txId: "tx-6",
    time: "2026-12-01T00:00:00.000Z",
  }),
  JSON.stringify({ type: "trailer", messages: 0, lines: 5, sha256: h("0"), exportLeafIndex: 7 }),
];

describe("recordCheckpointFile", () => {
  test("records the newest checkpoint and the chain's answer to each question the bundle raises, absences included", async () => {
    const ledger = chain();
    const file = await recordCheckpointFile({
      ledger,
      ledgerKind: "embedded",
      source: "test chain",
      bundle,
      now: new Date("2026-12-02T00:00:00Z"),
    });
    expect(CheckpointFile.parse(file)).toEqual(file);
    expect(file.checkpoints).toEqual([
      { treeSize: 5, checkpoint: { ...cp(5), cosignatures: [] } },
      { treeSize: 6, checkpoint: null },
      { treeSize: 9, checkpoint: { ...cp(9), cosignatures: [] } },
    ]);
    expect(file.keys).toEqual([
      { userRef: h("a"), record: keys },
      { userRef: h("b"), record: null },
    ]);
    expect(file.leaves).toEqual([{ index: 7, leaf }]);
    expect(ledger.asked.sort()).toEqual([
      "checkpoint 5",
      "checkpoint 6",
      "keys aaaa",
      "keys bbbb",
      "latest",
      "leaf 7",
    ]);
  });

  test("without a bundle, only the newest checkpoint", async () => {
    const file = await recordCheckpointFile({
      ledger: chain(),
      ledgerKind: "fabric",
      source: "test chain",
    });
    expect(file.checkpoints.map((a) => a.treeSize)).toEqual([9]);
    expect(file.keys).toEqual([]);
    expect(file.leaves).toEqual([]);
  });
});

describe("checkpointFileLedger", () => {
  test("answers from the file, null where the chain had none, and refuses questions it does not answer", async () => {
    const view = checkpointFileLedger(
      await recordCheckpointFile({
        ledger: chain(),
        ledgerKind: "embedded",
        source: "test chain",
        bundle,
      }),
    );
    expect(await view.getCheckpoint(5)).toEqual(cp(5));
    expect(await view.getCheckpoint(6)).toBeNull();
    expect(await view.getKeys(h("a"))).toEqual(keys);
    expect(await view.getKeys(h("b"))).toBeNull();
    expect(await view.getLeaf(7)).toEqual({ index: 7, leafHash: h("e") });
    await expect(view.getCheckpoint(4)).rejects.toBeInstanceOf(CheckpointFileGapError);
    await expect(view.getKeys(h("c"))).rejects.toThrow(/cairn checkpoint --bundle/);
    await expect(view.getLeaf(8)).rejects.toMatchObject({ code: "CHECKPOINT_FILE_GAP" });
  });
});

describe("parseCheckpointFile", () => {
  const valid = async () =>
    recordCheckpointFile({ ledger: chain(), ledgerKind: "embedded", source: "test chain", bundle });

  test("round-trips a recorded file", async () => {
    const file = await valid();
    expect(parseCheckpointFile(JSON.stringify(file))).toEqual(file);
  });

  test("refuses what is not a version 1 checkpoint file: cosignatures, mismatched answers, duplicates, unknown fields", async () => {
    const file = await valid();
    const bad: unknown[] = [
      "not json",
      { ...file, version: 2 },
      { ...file, extra: true },
      {
        ...file,
        checkpoints: [
          {
            treeSize: 5,
            checkpoint: { ...cp(5), cosignatures: [{ witness: "w", signature: "AA" }] },
          },
        ],
      },
      { ...file, checkpoints: [{ treeSize: 4, checkpoint: { ...cp(5), cosignatures: [] } }] },
      { ...file, keys: [{ userRef: h("b"), record: keys }] },
      {
        ...file,
        leaves: [
          { index: 7, leaf: null },
          { index: 7, leaf: null },
        ],
      },
    ];
    for (const b of bad) {
      expect(() => parseCheckpointFile(typeof b === "string" ? b : JSON.stringify(b))).toThrow(
        CheckpointFileInvalidError,
      );
    }
    expect(() => parseCheckpointFile(JSON.stringify(bad[3]))).toThrow(
      /witness cosignatures are not defined/,
    );
  });
});
