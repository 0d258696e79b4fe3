/**
 * The standalone verifier as a compliance officer gets it: @cairn/verify built and
 * packed with `npm pack`, the tarball `npm install`ed into an empty folder (its
 * registry dependencies fetched from the registry), then the installed `cairn-verify`
 * run on a real export (`cairn export` as a process, real PostgreSQL, embedded
 * ledger) against the checkpoint file `cairn checkpoint` recorded from the ledger.
 * `cairn export` and `cairn checkpoint` get their settings from a data directory laid
 * out as `npm start` leaves it (stack.json, server-secret), with no environment.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import type { Ledger } from "@cairn/ledger";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  anchorAll,
  createRoom,
  createUser,
  openTestLedger,
  send,
  SERVER_SECRET,
} from "@cairn/anchoring/testing";

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const CLI = require.resolve("@cairn/cli");
const VERIFY_DIR = path.dirname(require.resolve("@cairn/verify/package.json"));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment with none of Cairn's settings: they must come from the data directory. */
function bareEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (key === "DATABASE_URL" || key.startsWith("CAIRN_")) delete env[key];
  return env;
}

async function exec(command: string, args: string[], cwd?: string): Promise<Result> {
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd,
      env: bareEnv(),
      maxBuffer: 1 << 24,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let db: TestDatabase;
let ledger: Ledger;
let roomId: string;
let dir: string;
let dataDir: string;
/** The installed program: <empty folder>/node_modules/.bin/cairn-verify. */
let cairnVerify: string;

const cairn = (args: string[]) =>
  exec(process.execPath, ["--import", "tsx", CLI, ...args, "--data-dir", dataDir]);
const verifyInstalled = (args: string[]) => exec(cairnVerify, args);

beforeAll(async () => {
  db = await createTestDatabase();
  ledger = openTestLedger(db.prisma);
  await createUser(db.prisma, ledger, "root", "admin");
  const alice = await createUser(db.prisma, ledger, "alice");
  const bob = await createUser(db.prisma, ledger, "bob");
  roomId = await createRoom(db.prisma, alice, bob);
  for (let i = 0; i < 15; i++) await send(db.prisma, roomId, i % 3 === 0 ? bob : alice, i);
  await anchorAll(db.prisma, ledger, 6);
  dir = await mkdtemp(path.join(os.tmpdir(), "cairn-standalone-verify-"));
  // What `npm start` leaves in its data directory (stack/start.ts, stack/secret.ts).
  dataDir = path.join(dir, "data");
  await mkdir(dataDir);
  await writeFile(
    path.join(dataDir, "stack.json"),
    JSON.stringify({
      webUrl: "http://localhost:3000",
      relayUrl: "http://localhost:3001",
      databaseUrl: db.url,
      ledger: "embedded",
    }),
    { mode: 0o600 },
  );
  await writeFile(path.join(dataDir, "server-secret"), `${SERVER_SECRET}\n`, { mode: 0o600 });

  // Build and pack the verifier, then install the tarball alone into an empty folder.
  const started = Date.now();
  const built = await exec("npm", ["run", "build"], VERIFY_DIR);
  expect(built.code, built.stderr).toBe(0);
  const packDir = path.join(dir, "pack");
  await mkdir(packDir);
  const packed = await exec("npm", ["pack", "--pack-destination", packDir], VERIFY_DIR);
  expect(packed.code, packed.stderr).toBe(0);
  const [tarball] = (await readdir(packDir)).filter((f) => f.endsWith(".tgz"));
  expect(tarball).toBeDefined();
  const installDir = path.join(dir, "officer");
  await mkdir(installDir);
  const installed = await exec(
    "npm",
    ["install", "--no-audit", "--no-fund", path.join(packDir, tarball as string)],
    installDir,
  );
  expect(installed.code, installed.stderr).toBe(0);
  cairnVerify = path.join(installDir, "node_modules", ".bin", "cairn-verify");
  // Only registry packages came with it: no workspace package, no database client.
  const lock = JSON.parse(await readFile(path.join(installDir, "package-lock.json"), "utf8")) as {
    packages: Record<string, unknown>;
  };
  const deps = Object.keys(lock.packages).filter(
    (p) => p !== "" && p !== "node_modules/@cairn/verify",
  );
  expect(deps.sort()).toEqual(["node_modules/@noble/hashes", "node_modules/zod"]);
  console.info(
    `[standalone-verifier] build + pack + npm install: ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}, 240_000);

afterAll(async () => {
  await ledger?.close();
  await db?.drop();
});

describe("cairn-verify installed from its tarball alone", () => {
  test("passes a real export against the checkpoint file recorded from the ledger; a tampered copy fails with its finding", async () => {
    const bundle = path.join(dir, "room.jsonl");
    const exported = await cairn(["export", "--room", roomId, "--by", "root", "--out", bundle]);
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain("exported 15 messages");
    await anchorAll(db.prisma, ledger, 100); // the export's own record

    const checkpoints = path.join(dir, "checkpoints.json");
    const recorded = await cairn(["checkpoint", "--bundle", bundle, "--out", checkpoints]);
    expect(recorded.stderr).toBe("");
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toContain(`wrote ${checkpoints}`);
    const file = JSON.parse(await readFile(checkpoints, "utf8")) as {
      format: string;
      keys: unknown[];
      leaves: { leaf: unknown }[];
      roomHeads?: { head: { roomSeq: number } | null }[];
      source: string;
    };
    expect(file.format).toBe("cairn-checkpoint-file");
    expect(file.keys).toHaveLength(2);
    expect(file.leaves).toHaveLength(1);
    expect(file.leaves[0]?.leaf).not.toBeNull();
    // The room's head at the export's checkpoint: completeness is proved offline too.
    expect(file.roomHeads).toHaveLength(1);
    expect(file.roomHeads?.[0]?.head?.roomSeq).toBe(15);
    expect(file.source).not.toContain(SERVER_SECRET);
    expect(file.source).not.toMatch(/postgres(ql)?:\/\/[^@\s]*@/); // no credentials

    const ok = await verifyInstalled([bundle, "--checkpoints", checkpoints]);
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toContain("PASS");
    expect(ok.stdout).toContain("complete: every message up to room sequence 15");
    expect(ok.stdout).toContain("Trust rests on that file's source");
    expect(ok.code).toBe(0);
    const json = await verifyInstalled([
      bundle,
      "--checkpoints",
      checkpoints,
      "--json",
      "--threads",
      "0",
    ]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      messages: 15,
      anchored: 15,
      findings: [],
      checkpointFile: { witnesses: { required: 0, of: 0, witnessed: 0 } },
    });

    // Edited ciphertext of room sequence 7: exit 1, the finding at that message.
    const lines = (await readFile(bundle, "utf8")).split("\n");
    const at = lines.findIndex((l) => l.includes('"roomSeq":7,'));
    const line = JSON.parse(lines[at] as string) as { envelope: { ciphertext: string } };
    const c = line.envelope.ciphertext;
    line.envelope.ciphertext = (c[0] === "A" ? "B" : "A") + c.slice(1);
    lines[at] = JSON.stringify(line);
    const tampered = path.join(dir, "tampered.jsonl");
    await writeFile(tampered, lines.join("\n"));
    const bad = await verifyInstalled([tampered, "--checkpoints", checkpoints]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("FAIL");
    expect(bad.stdout).toMatch(/\[edited-ciphertext\] \(line \d+, seq 7, leaf \d+\)/);
  }, 120_000);

  test("a checkpoint file that does not answer what the bundle needs, or is not one, is unusable input (exit 2)", async () => {
    const bundle = path.join(dir, "room2.jsonl");
    expect((await cairn(["export", "--room", roomId, "--by", "root", "--out", bundle])).code).toBe(
      0,
    );
    const latestOnly = path.join(dir, "latest.json");
    const recorded = await cairn(["checkpoint", "--out", latestOnly]);
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toContain("without --bundle");
    const gap = await verifyInstalled([bundle, "--checkpoints", latestOnly]);
    expect(gap.code).toBe(2);
    expect(gap.stderr).toContain("cairn checkpoint --bundle");

    const cosigned = JSON.parse(await readFile(latestOnly, "utf8")) as {
      checkpoints: { checkpoint: { cosignatures: unknown[] } }[];
    };
    (
      cosigned.checkpoints[0] as { checkpoint: { cosignatures: unknown[] } }
    ).checkpoint.cosignatures = [{ witness: "w", signature: "AA" }];
    const forged = path.join(dir, "cosigned.json");
    await writeFile(forged, JSON.stringify(cosigned));
    const refused = await verifyInstalled([bundle, "--checkpoints", forged]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("witness cosignatures are not defined");
  }, 120_000);
});
