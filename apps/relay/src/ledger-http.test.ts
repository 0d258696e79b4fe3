import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import { createEmbeddedLedger, type Ledger } from "@cairn/ledger";
import { hex, toBase64Url } from "@cairn/protocol";
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLedgerHttpHandler } from "./ledger-http";
import { createLogger } from "@cairn/log";
import { makeRoom, makeUser, type TestUser } from "./test-fixtures";
import { roomRef, userRef } from "@cairn/anchoring";

const SECRET = "cd".repeat(32);
let db: TestDatabase;
let ledger: Ledger;
let http: Server;
let base: string;
let alice: TestUser;

beforeAll(async () => {
  db = await createTestDatabase();
  ledger = createEmbeddedLedger({ prisma: db.prisma });
  alice = await makeUser(db.prisma, "alice");
  http = createServer(
    createLedgerHttpHandler({
      prisma: db.prisma,
      ledger,
      serverSecret: SECRET,
      corsOrigins: ["http://localhost:3000"],
      log: createLogger("error", () => {}),
    }),
  );
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  http.close();
  await ledger.close();
  await db.drop();
});

const get = (path: string, token: string | null = alice.token) =>
  fetch(base + path, {
    headers: { ...(token ? { cookie: `cairn_session=${token}` } : {}), origin: "http://localhost:3000" },
  });

describe("ledger read API", () => {
  it("serves a user's key record from the chain, keyed by their user ref", async () => {
    expect((await get(`/ledger/users/${alice.id}/keys`)).status).toBe(404);
    const identityPublicKey = toBase64Url(randomBytes(32));
    await ledger.registerIdentity({ userRef: userRef(SECRET, alice.id), identityPublicKey });
    const res = await get(`/ledger/users/${alice.id}/keys`);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect(await res.json()).toMatchObject({ userRef: userRef(SECRET, alice.id), identityPublicKey, devices: [] });
  });

  it("serves checkpoints and leaves as the chain records them", async () => {
    const hashes = [hex(randomBytes(32)), hex(randomBytes(32))];
    const cp = await ledger.appendBatch({ startIndex: 0, leafHashes: hashes });
    expect(await (await get("/ledger/checkpoints/latest")).json()).toEqual(cp);
    expect(await (await get("/ledger/checkpoints/2")).json()).toEqual(cp);
    expect(await (await get("/ledger/leaves/1")).json()).toMatchObject({ index: 1, leafHash: hashes[1], checkpoint: cp });
  });

  it("serves a room's head as of a checkpoint to admins and compliance officers only", async () => {
    const ref = "c".repeat(64);
    const start = (await ledger.getLatestCheckpoint())?.treeSize ?? 0;
    const cp = await ledger.appendBatch({ startIndex: start, leafHashes: [hex(randomBytes(32))], roomHeads: [{ roomRef: ref, roomSeq: 1, leafIndex: start }] });
    const path = `/ledger/rooms/${ref}/heads/${cp.treeSize}`;
    expect((await get(path)).status).toBe(403);
    const officer = await makeUser(db.prisma, "officer");
    await db.prisma.user.update({ where: { id: officer.id }, data: { role: "compliance" } });
    expect(await (await get(path, officer.token)).json()).toEqual({ roomRef: ref, roomSeq: 1, leafIndex: start, treeSize: cp.treeSize, txId: cp.txId });
    expect((await get(`/ledger/rooms/${ref}/heads/${start}`, officer.token)).status).toBe(404);
    expect((await get(`/ledger/rooms/not-a-ref/heads/1`, officer.token)).status).toBe(400);
    // An exporter without the server secret asks the relay for the room's reference.
    const roomId = randomUUID();
    expect((await get(`/ledger/room-refs/${roomId}`, officer.token)).status).toBe(403);
    await db.prisma.user.update({ where: { id: officer.id }, data: { role: "admin" } });
    expect(await (await get(`/ledger/room-refs/${roomId}`, officer.token)).json()).toEqual({ roomRef: roomRef(SECRET, roomId) });
  });

  it("serves a key record only to the user, their room mates, admins and compliance officers", async () => {
    const [bob, carol, dana, erin] = await Promise.all(["bob", "carol", "dana", "erin"].map((n) => makeUser(db.prisma, n)));
    if (!bob || !carol || !dana || !erin) throw new Error("fixture");
    await makeRoom(db.prisma, [alice, bob]);
    await db.prisma.user.update({ where: { id: dana.id }, data: { role: "admin" } });
    await db.prisma.user.update({ where: { id: erin.id }, data: { role: "compliance" } });
    const keysOf = `/ledger/users/${alice.id}/keys`;
    const status = async (who: TestUser) => (await get(keysOf, who.token)).status;
    expect(await status(alice)).toBe(200);
    expect(await status(bob)).toBe(200);
    expect(await status(dana)).toBe(200);
    expect(await status(erin)).toBe(200);
    const stranger = await get(keysOf, carol.token);
    expect(stranger.status).toBe(403);
    expect(await stranger.json()).toMatchObject({ error: { code: "FORBIDDEN" } });
    // Checkpoints and leaves are hashes only: any logged-in user may read them.
    expect((await get("/ledger/checkpoints/latest", carol.token)).status).toBe(200);
  });

  it("refuses anonymous callers and bad paths with stable codes", async () => {
    const anon = await get("/ledger/checkpoints/latest", null);
    expect(anon.status).toBe(401);
    expect(await anon.json()).toEqual({ error: { code: "UNAUTHENTICATED", message: "Log in first." } });
    expect((await get("/ledger/users/not-a-uuid/keys")).status).toBe(400);
    expect((await get("/ledger/leaves/-1")).status).toBe(400);
    expect((await get("/ledger/leaves/999")).status).toBe(404);
    expect((await get("/elsewhere")).status).toBe(404);
  });
});
