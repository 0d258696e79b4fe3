/**
 * Issue 10's resilience promise: PostgreSQL restarts under a running relay process
 * with connected clients. Afterwards messages are stored and delivered again, a
 * device revoked after the restart is disconnected, state whose notification was
 * lost is re-read, nothing acknowledged before the restart is missing, and the relay
 * still shuts down cleanly on SIGTERM.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createPrismaClient, publishServerEvent, type PrismaClient } from "@cairn/db";
import { freePort, migrate, startEmbeddedPostgres, type RunningPostgres } from "@cairn/db/admin";
import { EVENTS, isRetryable, type Ack as AckOf, type SendMessageAck, type StoredMessage, type WireEnvelope } from "@cairn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addDevice,
  connectClient,
  makeRoom,
  makeUser,
  signedEnvelope,
  startRelayProcess,
  until,
  type ChatClient,
  type Device,
  type RelayProcess,
} from "./relay-harness";

const PASSWORD = "restart-test";
let dir: string;
let port: number;
let server: RunningPostgres | null = null;
let url: string;
let prisma: PrismaClient;
let relay: RelayProcess | null = null;
const clients: ChatClient[] = [];

const startPostgres = async () => {
  server = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port, password: PASSWORD });
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "cairn-pg-restart-"));
  await chmod(dir, 0o755); // the postgres user must reach its data directory inside
  port = await freePort();
  await startPostgres();
  if (!server) throw new Error("no server");
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query("CREATE DATABASE cairn_restart");
  await admin.end();
  url = server.urlFor("cairn_restart");
  await migrate(url);
  prisma = createPrismaClient(url, { max: 3 });
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  if (relay && relay.child.exitCode === null) {
    relay.child.kill("SIGKILL");
    await relay.exited;
  }
  await prisma?.$disconnect();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function connect(device: Device): Promise<ChatClient> {
  if (!relay) throw new Error("relay not started");
  const c = await connectClient(relay.url, device);
  clients.push(c);
  return c;
}

type Ack = { ok: true } & SendMessageAck;

/** Sends one message and waits for the relay's answer (an error ack included). */
async function emitMessage(from: ChatClient, clientMsgId: string, envelope: WireEnvelope): Promise<AckOf<SendMessageAck>> {
  const answer: unknown = await from.timeout(60_000).emitWithAck(EVENTS.sendMessage, { clientMsgId, envelope });
  return answer as AckOf<SendMessageAck>;
}

async function send(from: ChatClient, device: Device, roomId: string, clientMsgId: string): Promise<Ack> {
  const ack = await emitMessage(from, clientMsgId, signedEnvelope(device, roomId));
  if (!ack.ok) throw new Error(`send refused: ${ack.error.code}`);
  return ack;
}

/** Resends under the same client message id until acked, as the web client does after an error. */
async function sendUntilAcked(from: ChatClient, device: Device, roomId: string, clientMsgId: string): Promise<Ack> {
  const envelope = signedEnvelope(device, roomId);
  for (let attempt = 1; ; attempt++) {
    const ack = await emitMessage(from, clientMsgId, envelope);
    if (ack.ok) return ack;
    if (attempt >= 20) throw new Error(`still refused after ${attempt} attempts: ${ack.error.code}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function disconnection(c: ChatClient): { reason: string | null } {
  const seen: { reason: string | null } = { reason: null };
  c.once("disconnect", (reason) => (seen.reason = reason));
  return seen;
}

describe("PostgreSQL restarts under a running relay", () => {
  it("keeps clients connected, resumes storing and fan-out, re-reads missed state, and loses no acked message", async () => {
    const aliceUser = await makeUser(prisma, "alice");
    const bobUser = await makeUser(prisma, "bob");
    const alice = await addDevice(prisma, aliceUser);
    const bob = await addDevice(prisma, bobUser);
    const bobOld = await addDevice(prisma, bobUser); // revoked while the listener is away
    const bobTablet = await addDevice(prisma, bobUser); // revoked after the restart
    const roomId = await makeRoom(prisma, [aliceUser.id, bobUser.id]);

    relay = await startRelayProcess(url);
    const a = await connect(alice);
    const b = await connect(bob);
    const bOld = await connect(bobOld);
    const bTablet = await connect(bobTablet);
    const aGone = disconnection(a);
    const bGone = disconnection(b);
    const oldGone = disconnection(bOld);
    const tabletGone = disconnection(bTablet);
    const atBob: StoredMessage[] = [];
    b.on(EVENTS.newMessage, (m) => atBob.push(m));

    // Before the restart: every ack is remembered, to be found in the database later.
    const acked = new Map<string, Ack>();
    for (let i = 0; i < 20; i++) {
      const id = `m-before-${String(i).padStart(3, "0")}`;
      acked.set(id, await send(a, alice, roomId, id));
    }
    await until(() => atBob.length === 20, "bob to receive the first messages");

    // Changes whose notification this relay never hears (as if written while its
    // listener was away): only the re-read after the reconnect can apply them.
    await prisma.device.update({ where: { id: bobOld.deviceId }, data: { revokedAt: new Date() } });
    const laterRoomId = await makeRoom(prisma, [aliceUser.id, bobUser.id]);

    // The restart.
    const mark = relay.logs.length;
    await server?.stop();
    server = null;
    await until(() => relay?.hasLogged("server events connection lost; reconnecting", mark) ?? false, "the relay to notice");
    // While the database is down, a send gets an error ack; the relay stays up.
    const down = await emitMessage(a, "m-during-outage", signedEnvelope(alice, roomId));
    // Retryable: UNAVAILABLE (or RATE_LIMITED, when this send follows the burst above within its window).
    expect(down.ok).toBe(false);
    if (!down.ok) expect(isRetryable(down.error.code), down.error.code).toBe(true);
    // The listener keeps retrying (with backoff) while nothing answers.
    const failedAttempts = () =>
      relay?.logs.slice(mark).filter((l) => l.msg === "server events connection error" && l.errCode === "ECONNREFUSED").length ?? 0;
    await until(() => failedAttempts() >= 2, "reconnect attempts to fail");
    expect(relay.child.exitCode).toBeNull();
    await startPostgres();
    await until(() => relay?.hasLogged("relay resynced after reconnect", mark) ?? false, "the relay to re-read missed state");
    expect(relay.hasLogged("server events reconnected", mark)).toBe(true);

    // The revocation it never heard of: that device's socket is closed by the re-read.
    await until(() => oldGone.reason !== null, "the silently revoked device to be dropped");
    expect(oldGone.reason).toBe("io server disconnect");

    // A message after the restart is stored and delivered.
    const after = await sendUntilAcked(a, alice, roomId, "m-after-001");
    await until(() => atBob.some((m) => m.roomSeq === after.roomSeq && m.roomId === roomId), "bob to receive the message");
    const storedAfter = await prisma.envelope.findUnique({
      where: { senderDeviceId_clientMsgId: { senderDeviceId: alice.deviceId, clientMsgId: "m-after-001" } },
    });
    expect(storedAfter).toMatchObject({ roomId, roomSeq: after.roomSeq, leafIndex: BigInt(after.leafIndex) });

    // The room created without a notification: bob's open socket was joined by the re-read.
    const inLater = await sendUntilAcked(a, alice, laterRoomId, "m-later-001");
    await until(() => atBob.some((m) => m.roomId === laterRoomId && m.roomSeq === inLater.roomSeq), "a message in the later room");

    // Revoked after the restart, as the web app does it: the row and the event in one transaction.
    await prisma.$transaction(async (tx) => {
      await tx.device.update({ where: { id: bobTablet.deviceId }, data: { revokedAt: new Date() } });
      await publishServerEvent(tx, { type: "deviceRevoked", userId: bobUser.id, deviceId: bobTablet.deviceId });
    });
    await until(() => tabletGone.reason !== null, "the revoked device to be disconnected");
    expect(tabletGone.reason).toBe("io server disconnect");

    // The connections of devices still valid were never dropped.
    expect([aGone.reason, bGone.reason]).toEqual([null, null]);

    // Nothing acked before the restart is missing, and each is what its ack said.
    const rows = await prisma.envelope.findMany({
      where: { senderDeviceId: alice.deviceId, clientMsgId: { in: [...acked.keys()] } },
      select: { clientMsgId: true, roomSeq: true, leafIndex: true },
    });
    expect(rows).toHaveLength(acked.size);
    for (const row of rows) {
      const ack = acked.get(row.clientMsgId);
      expect({ roomSeq: row.roomSeq, leafIndex: Number(row.leafIndex) }).toEqual({
        roomSeq: ack?.roomSeq,
        leafIndex: ack?.leafIndex,
      });
      expect(await prisma.auditLeaf.count({ where: { leafIndex: row.leafIndex } })).toBe(1);
    }

    // And the relay still stops cleanly.
    relay.child.kill("SIGTERM");
    expect(await relay.exited).toBe(0);
    expect(relay.hasLogged("relay stopped")).toBe(true);
    expect(relay.hasLogged("unhandled rejection") || relay.hasLogged("uncaught exception")).toBe(false);
  });

  it("under load: refuses with a retryable error while it is down, recovers without a restart, loses and duplicates nothing", async () => {
    const users = await Promise.all(["carol", "dave"].map((n) => makeUser(prisma, n)));
    const [carolUser, daveUser] = users;
    if (!carolUser || !daveUser) throw new Error("users");
    const carol = await addDevice(prisma, carolUser);
    const dave = await addDevice(prisma, daveUser);
    const roomId = await makeRoom(prisma, [carolUser.id, daveUser.id]);
    relay = await startRelayProcess(url, { CAIRN_RATE_MESSAGE_SOCKET: "off", CAIRN_RATE_MESSAGE_USER: "off" });
    const c = await connect(carol);
    const d = await connect(dave);
    const atDave = new Set<number>();
    d.on(EVENTS.newMessage, (m) => atDave.add(m.roomSeq));

    // ~100 msg/s, each resent under its own clientMsgId until acked, as the web client does.
    const refusals = new Map<string, number>();
    const acked = new Map<string, Ack>();
    let stop = false;
    const sender = async (lane: number) => {
      for (let i = 0; !stop; i++) {
        const id = `load-${lane}-${String(i).padStart(5, "0")}`;
        const envelope = signedEnvelope(carol, roomId);
        for (;;) {
          const ack = await emitMessage(c, id, envelope);
          if (ack.ok) {
            acked.set(id, ack);
            break;
          }
          refusals.set(ack.error.code, (refusals.get(ack.error.code) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, ack.error.retryAfterMs ?? 200));
        }
        await new Promise((r) => setTimeout(r, 40));
      }
    };
    const lanes = [0, 1, 2, 3].map(sender);
    await until(() => acked.size >= 100, "load before the restart");
    const mark = relay.logs.length;
    await server?.stop();
    server = null;
    await until(() => (refusals.get("UNAVAILABLE") ?? 0) >= 4, "sends refused while the database is down");
    await startPostgres();
    await until(() => relay?.hasLogged("relay resynced after reconnect", mark) ?? false, "the relay to recover");
    const resumedAt = acked.size;
    await until(() => acked.size >= resumedAt + 100, "load after the restart");
    stop = true;
    await Promise.all(lanes);

    // Only retryable refusals, and the relay process never restarted.
    expect([...refusals.keys()].every(isRetryable), [...refusals.keys()].join()).toBe(true);
    expect(relay.child.exitCode).toBeNull();
    // Every acked message stored exactly once, as its ack said, and delivered; the room has no gap.
    const rows = await prisma.envelope.findMany({ where: { roomId }, select: { clientMsgId: true, roomSeq: true } });
    expect(rows).toHaveLength(acked.size);
    for (const row of rows) expect(acked.get(row.clientMsgId)?.roomSeq).toBe(row.roomSeq);
    const seqs = rows.map((r) => r.roomSeq).sort((x, y) => x - y);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    await until(() => atDave.size === acked.size, "dave to receive every acked message");

    relay.child.kill("SIGTERM");
    expect(await relay.exited).toBe(0);
  });
});
