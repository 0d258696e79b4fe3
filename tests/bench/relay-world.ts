/**
 * The relay benchmark's world: users with real Ed25519 device keys and sessions, rooms
 * of four, one Socket.IO client per user, and pre-signed 1 KiB envelopes whose first
 * eight ciphertext bytes carry a message number (so a delivery names the send it
 * belongs to). The bare baseline server acks and broadcasts, nothing else.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { createSession, type PrismaClient } from "@cairn/db";
import { envelopeSigningBytes, envelopeToWire, toBase64Url, type Envelope, type WireEnvelope } from "@cairn/protocol";
import { Server } from "socket.io";
import { io as connect, type Socket } from "socket.io-client";

export const ORIGIN = "http://localhost:3000";
export const CIPHERTEXT_BYTES = 1024;

export interface BenchUser {
  id: string;
  token: string;
  deviceId: string;
  key: KeyObject;
  roomId: string;
  index: number;
}

const spki = (k: KeyObject) => new Uint8Array(k.export({ format: "der", type: "spki" }).subarray(12));

export async function makeWorld(prisma: PrismaClient, users: number, roomSize: number): Promise<BenchUser[]> {
  const out: BenchUser[] = [];
  const tag = randomBytes(3).toString("hex");
  for (let r = 0; r < users / roomSize; r++) {
    const members: BenchUser[] = [];
    for (let m = 0; m < roomSize; m++) {
      const { publicKey, privateKey } = generateKeyPairSync("ed25519");
      const user = await prisma.user.create({
        data: { username: `b${tag}r${r}m${m}`, salt: randomBytes(16), authHash: "unused", identityPublicKey: randomBytes(32) },
      });
      const deviceId = toBase64Url(randomBytes(16));
      await prisma.device.create({
        data: { id: deviceId, userId: user.id, name: "bench", signingPublicKey: spki(publicKey), agreementPublicKey: randomBytes(32), signature: randomBytes(64) },
      });
      const { token } = await createSession(prisma, user.id, new Date(), { deviceId });
      members.push({ id: user.id, token, deviceId, key: privateKey, roomId: "", index: 0 });
    }
    const room = await prisma.room.create({
      data: { name: `bench ${r}`, createdBy: members[0]?.id ?? "", members: { create: members.map((m) => ({ userId: m.id })) } },
    });
    for (const m of members) m.roomId = room.id;
    out.push(...members);
  }
  return out;
}

/** One envelope from `u`, signed, carrying message number `n`. */
export function envelopeFor(u: BenchUser, n: number): WireEnvelope {
  const ciphertext = randomBytes(CIPHERTEXT_BYTES);
  ciphertext.writeBigUInt64BE(BigInt(n), 0);
  const unsigned: Omit<Envelope, "signature"> = {
    version: 1,
    roomId: u.roomId,
    senderDeviceId: u.deviceId,
    sessionId: new Uint8Array(16).fill(7),
    index: u.index++,
    prevHash: new Uint8Array(32),
    nonce: randomBytes(24),
    ciphertext,
  };
  return envelopeToWire({ ...unsigned, signature: new Uint8Array(sign(null, envelopeSigningBytes(unsigned), u.key)) });
}

/** The message number a delivered envelope carries. */
export function messageNumber(envelope: { ciphertext: string }): number {
  return Number(Buffer.from(envelope.ciphertext.slice(0, 11), "base64url").readBigUInt64BE(0));
}

export function clientFor(url: string, u: BenchUser, bare: boolean): Socket {
  return connect(url, {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    extraHeaders: { origin: ORIGIN, cookie: `cairn_session=${u.token}` },
    auth: bare ? { deviceId: u.deviceId, roomId: u.roomId } : { deviceId: u.deviceId },
  });
}

export function connected(s: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once("connect", () => resolve());
    s.once("connect_error", reject);
  });
}

/** The baseline: a Socket.IO server that joins each socket to its room, acks every send and broadcasts it. */
export async function startBare(): Promise<{ url: string; close(): Promise<void> }> {
  const http: HttpServer = createServer();
  const server = new Server(http, { maxHttpBufferSize: 1 << 20, serveClient: false });
  let seq = 0;
  server.on("connection", (socket) => {
    const auth = socket.handshake.auth as { roomId?: unknown };
    const roomId = typeof auth.roomId === "string" ? auth.roomId : "";
    void socket.join(`room:${roomId}`);
    socket.on("message:send", (payload: { envelope: WireEnvelope }, ack: (r: unknown) => void) => {
      seq++;
      const stored = { roomId, roomSeq: seq, leafIndex: seq, serverTime: new Date().toISOString(), envelope: payload.envelope };
      ack({ ok: true, roomSeq: seq, leafIndex: seq, serverTime: stored.serverTime });
      socket.to(`room:${roomId}`).emit("message:new", stored);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => void server.close(() => resolve())),
  };
}
