/**
 * cairn-verify's command line without a ledger: help, bad flags and unusable inputs
 * exit 2 with the reason; a checkpoint file that does not answer what the bundle
 * needs stops verification (exit 2) instead of passing or inventing a finding. The
 * installed program on a real export: tests/audit/standalone-verifier.test.ts.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { HELP, runCli } from "./cli";

let dir: string;

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const h = (c: string) => c.repeat(64);
const checkpointFile = {
  format: "cairn-checkpoint-file",
  version: 1,
  ledger: "embedded",
  recordedAt: "2026-12-02T00:00:00.000Z",
  source: "test",
  checkpoints: [
    {
      treeSize: 9,
      checkpoint: {
        treeSize: 9,
        rootHash: h("9"),
        txId: "tx-9",
        time: "2026-12-01T00:00:00.000Z",
        cosignatures: [],
      },
    },
  ],
  keys: [],
  leaves: [],
};
const header = {
  type: "header",
  format: "cairn-audit-bundle",
  version: 1,
  roomId: "3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b",
  range: { from: null, to: null },
  exportedAt: "2026-12-01T00:00:00.000Z",
  exporterRef: h("a"),
  ledger: "embedded",
  extent: { firstSeq: 1, lastSeq: 1, messages: 1 },
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "cairn-verify-cli-"));
  await writeFile(path.join(dir, "cp.json"), JSON.stringify(checkpointFile));
  await writeFile(
    path.join(dir, "cosigned.json"),
    JSON.stringify({
      ...checkpointFile,
      checkpoints: [
        {
          ...checkpointFile.checkpoints[0],
          checkpoint: { ...checkpointFile.checkpoints[0]?.checkpoint, cosignatures: [{ w: 1 }] },
        },
      ],
    }),
  );
  await writeFile(path.join(dir, "junk.json"), "{");
  await writeFile(path.join(dir, "junk.jsonl"), "hello\n");
  const checkpoint = {
    type: "checkpoint",
    treeSize: 3,
    rootHash: h("3"),
    txId: "tx-3",
    time: "2026-12-01T00:00:00.000Z",
  };
  await writeFile(
    path.join(dir, "room.jsonl"),
    `${JSON.stringify(header)}\n${JSON.stringify(checkpoint)}\n`,
  );
});

describe("cairn-verify", () => {
  test("--help says what it checks and what the result rests on", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(HELP);
    expect(r.out).toContain("--witness <key>");
    expect(r.out).toContain("cairn checkpoint --bundle");
  });

  test("bad flags and missing arguments exit 2", async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli([path.join(dir, "room.jsonl")])).err).toContain("--checkpoints");
    expect((await cli(["a", "b", "--checkpoints", "c"])).code).toBe(2);
    expect((await cli(["a", "--checkpoints", "c", "--bogus"])).code).toBe(2);
    expect(
      (await cli(["a", "--checkpoints", path.join(dir, "cp.json"), "--threads", "-1"])).code,
    ).toBe(2);
    const badWitness = await cli(["a", "--checkpoints", path.join(dir, "cp.json"), "--witness", "not-a-key"]);
    expect(badWitness.code).toBe(2);
    expect(badWitness.err).toContain("unusable witness policy");
    const tooMany = await cli(["a", "--checkpoints", path.join(dir, "cp.json"), "--witnesses-required", "1"]);
    expect(tooMany.err).toContain("the number of witnesses required is 1 to 0");
  });

  test("an unreadable or invalid checkpoint file, or one with cosignatures it cannot check, exits 2", async () => {
    const bundle = path.join(dir, "room.jsonl");
    const missing = await cli([bundle, "--checkpoints", path.join(dir, "none.json")]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("unusable checkpoint file");
    expect((await cli([bundle, "--checkpoints", path.join(dir, "junk.json")])).err).toContain(
      "not JSON",
    );
    const cosigned = await cli([bundle, "--checkpoints", path.join(dir, "cosigned.json")]);
    expect(cosigned.code).toBe(2);
    expect(cosigned.err).toContain(
      "witness cosignatures are not defined in checkpoint file version 1",
    );
  });

  test("a bundle that is not one, or is missing, exits 2", async () => {
    const cp = path.join(dir, "cp.json");
    const junk = await cli([path.join(dir, "junk.jsonl"), "--checkpoints", cp]);
    expect(junk.code).toBe(2);
    expect(junk.err).toContain("unusable input");
    expect(
      (await cli([path.join(dir, "none.jsonl"), "--checkpoints", cp, "--threads", "0"])).code,
    ).toBe(2);
  });

  test("a checkpoint the file does not answer stops verification with the way to record one that does", async () => {
    const r = await cli([
      path.join(dir, "room.jsonl"),
      "--checkpoints",
      path.join(dir, "cp.json"),
      "--threads",
      "0",
    ]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain("does not say whether the chain holds a checkpoint of size 3");
    expect(r.err).toContain("cairn checkpoint --bundle");
  });
});
