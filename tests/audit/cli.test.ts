/**
 * The `cairn export` and `cairn verify` commands as an operator runs them: real
 * processes, environment variables, files, exit statuses 0 / 1 / 2 and --json.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { createEmbeddedLedger, type Ledger } from "@cairn/ledger";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { roomRef } from "@cairn/anchoring";
import { anchorAll, createRoom, createUser, openTestLedger, send, SERVER_SECRET, type TestUser } from "@cairn/anchoring/testing";

const run = promisify(execFile);
/** The `cairn` program, found as its package exports it. */
const CLI = createRequire(import.meta.url).resolve("@cairn/cli");

let db: TestDatabase;
let ledger: Ledger;
let admin: TestUser;
let roomId: string;
let dir: string;

async function cairn(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", CLI, ...args], {
      env: { ...process.env, DATABASE_URL: db.url, CAIRN_SERVER_SECRET: SERVER_SECRET, CAIRN_LEDGER: "embedded" },
      maxBuffer: 1 << 24,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  ledger = openTestLedger(db.prisma);
  admin = await createUser(db.prisma, ledger, "root", "admin");
  const alice = await createUser(db.prisma, ledger, "alice");
  await createUser(db.prisma, ledger, "mallory");
  roomId = await createRoom(db.prisma, alice);
  for (let i = 0; i < 12; i++) await send(db.prisma, roomId, alice, i);
  await anchorAll(db.prisma, ledger, 5);
  dir = await mkdtemp(path.join(os.tmpdir(), "cairn-cli-audit-"));
});

afterAll(async () => {
  await ledger?.close();
  await db?.drop();
});

describe("cairn export / cairn verify", () => {
  test("export writes a bundle and a CSV; verify passes once the export is anchored", async () => {
    const out = path.join(dir, "room.jsonl");
    const csv = path.join(dir, "room.csv");
    const exported = await cairn(["export", "--room", roomId, "--by", "root", "--out", out, "--csv", csv]);
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain("exported 12 messages");
    const csvLines = (await readFile(csv, "utf8")).trimEnd().split("\r\n");
    expect(csvLines).toHaveLength(13);
    expect(csvLines[0]).toMatch(/^roomSeq,leafIndex,serverTime/);

    await anchorAll(db.prisma, ledger, 100);
    const ok = await cairn(["verify", out]);
    expect(ok.stdout).toContain("PASS");
    expect(ok.code).toBe(0);
    const json = await cairn(["verify", out, "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, messages: 12, anchored: 12, findings: [] });

    // Tampered: exit 1, the finding named in both forms.
    const lines = (await readFile(out, "utf8")).split("\n");
    const at = lines.findIndex((l) => l.includes('"roomSeq":5,'));
    lines.splice(at, 1);
    const tampered = path.join(dir, "tampered.jsonl");
    await writeFile(tampered, lines.join("\n"));
    const bad = await cairn(["verify", tampered]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("FAIL");
    expect(bad.stdout).toContain("[sequence-gap]");
    const badJson = JSON.parse((await cairn(["verify", tampered, "--json"])).stdout) as { ok: boolean; findingCounts: Record<string, number> };
    expect(badJson.ok).toBe(false);
    expect(badJson.findingCounts["sequence-gap"]).toBe(1);
  }, 120_000);

  test("unusable input exits 2", async () => {
    const junk = path.join(dir, "junk.jsonl");
    await writeFile(junk, "hello\n");
    expect((await cairn(["verify", junk])).code).toBe(2);
    expect((await cairn(["verify", path.join(dir, "missing.jsonl")])).code).toBe(2);
  }, 60_000);

  test("only admins export; an unknown room is refused", async () => {
    const denied = await cairn(["export", "--room", roomId, "--by", "mallory", "--out", path.join(dir, "x.jsonl")]);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain("only admins export");
    const none = await cairn(["export", "--room", "00000000-0000-4000-8000-000000000000", "--by", "root", "--out", path.join(dir, "y.jsonl")]);
    expect(none.code).toBe(2);
    expect(admin.id).toBeTruthy();
  }, 60_000);
});

describe("cairn policy", () => {
  test("shows the policy in force and every version, read from the ledger, for the organisation and a room", async () => {
    const adminLedger = createEmbeddedLedger({ prisma: db.prisma }).withIdentity({ mspId: "CairnEmbeddedMSP", role: "admin" });
    try {
      expect((await cairn(["policy", "show"])).stdout).toContain("no organisation policy on the ledger");
      await adminLedger.setOrgPolicy({ retentionSeconds: 604_800, maxDevicesPerUser: 5, forwardingAllowed: true });
      await adminLedger.setOrgPolicy({ retentionSeconds: 86_400, maxDevicesPerUser: 3, forwardingAllowed: false });
      await adminLedger.setRoomPolicy(roomRef(SERVER_SECRET, roomId), { retentionSeconds: 3_600, forwardingAllowed: false, complianceJournalKey: null });
      const show = await cairn(["policy", "show"]);
      expect(show.code).toBe(0);
      expect(show.stdout).toMatch(/v2 .*messages expire after 1 day\(s\); at most 3 device\(s\) per user; forwarding not allowed/);
      const history = await cairn(["policy", "history", "--json"]);
      expect((JSON.parse(history.stdout) as { version: number }[]).map((r) => r.version)).toEqual([1, 2]);
      const room = await cairn(["policy", "show", "--room", roomId]);
      expect(room.stdout).toContain("messages expire after 1 hour(s)");
      expect((await cairn(["policy", "show", "--room", "00000000-0000-4000-8000-000000000000"])).stdout).toContain("the organisation policy applies");
      expect((await cairn(["policy", "list"])).code).not.toBe(0);
      // An admin's change through the command: a new version on the ledger; one the contract refuses exits 1.
      const set = await cairn(["policy", "set", "--retention", "7200", "--max-devices", "none", "--forwarding", "allowed"]);
      expect(set.stderr).toBe("");
      expect(set.code).toBe(0);
      expect(set.stdout).toMatch(/set: v3 .*messages expire after 2 hour\(s\); no device limit; forwarding allowed/);
      const refused = await cairn(["policy", "set", "--retention", "5", "--forwarding", "allowed"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("the policy was not changed");
      expect((await cairn(["policy", "set", "--retention", "7200"])).code).toBe(2);
      expect((JSON.parse((await cairn(["policy", "history", "--json"])).stdout) as unknown[]).length).toBe(3);
    } finally {
      await adminLedger.close();
    }
  }, 60_000);
});

