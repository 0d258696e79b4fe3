/**
 * The relay as a real process for fault tests, with real Socket.IO clients: users,
 * devices and sessions written to the database as the web app writes them, envelopes
 * signed with real Ed25519 device keys, and the relay's JSON log lines collected.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createSession, type PrismaClient } from "@cairn/db";
import {
  envelopeSigningBytes,
  envelopeToWire,
  toBase64Url,
  type ClientToServerEvents,
  type Envelope,
  type ServerToClientEvents,
  type WireEnvelope,
} from "@cairn/protocol";
import { io, type Socket } from "socket.io-client";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const WEB_ORIGIN = "http://localhost:3000";

export type ChatClient = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface Device {
  userId: string;
  token: string;
  deviceId: string;
  signingKey: KeyObject;
}

/** Polls `check` until it holds; the deadline only bounds a failure, it is not a speed check. */
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function makeUser(prisma: PrismaClient, username: string): Promise<{ id: string; token: string }> {
  const user = await prisma.user.create({
    data: { username, salt: randomBytes(16), authHash: "unused", identityPublicKey: randomBytes(32) },
  });
  const { token } = await createSession(prisma, user.id);
  return { id: user.id, token };
}

export async function addDevice(prisma: PrismaClient, user: { id: string; token: string }): Promise<Device> {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(String(publicKey.export({ format: "jwk" }).x), "base64url");
  const deviceId = toBase64Url(randomBytes(16));
  await prisma.device.create({
    data: {
      id: deviceId,
      userId: user.id,
      name: "fault test",
      signingPublicKey: new Uint8Array(raw),
      agreementPublicKey: randomBytes(32),
      signature: randomBytes(64),
    },
  });
  // A session belongs to one device: each device the harness adds logs in on its own.
  const { token } = await createSession(prisma, user.id, new Date(), { deviceId });
  return { userId: user.id, token, deviceId, signingKey: privateKey };
}

export async function makeRoom(prisma: PrismaClient, userIds: string[]): Promise<string> {
  const createdBy = userIds[0];
  if (!createdBy) throw new Error("a room needs a member");
  const room = await prisma.room.create({
    data: { name: "faults", createdBy, members: { create: userIds.map((userId) => ({ userId })) } },
  });
  return room.id;
}

export function signedEnvelope(device: Device, roomId: string, ciphertext: Uint8Array = randomBytes(64)): WireEnvelope {
  const unsigned: Omit<Envelope, "signature"> = {
    version: 1,
    roomId,
    senderDeviceId: device.deviceId,
    sessionId: randomBytes(16),
    index: 0,
    prevHash: new Uint8Array(32),
    nonce: randomBytes(24),
    ciphertext,
  };
  const signature = new Uint8Array(sign(null, envelopeSigningBytes(unsigned), device.signingKey));
  return envelopeToWire({ ...unsigned, signature });
}

/** A browser tab on the web origin: cookie, device id, WebSocket, no automatic reconnect. */
export async function connectClient(url: string, device: Device): Promise<ChatClient> {
  const socket: ChatClient = io(url, {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    auth: { deviceId: device.deviceId },
    extraHeaders: { origin: WEB_ORIGIN, cookie: `cairn_session=${device.token}` },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return socket;
}

export interface RelayProcess {
  url: string;
  child: ChildProcess;
  /** Parsed JSON log lines, in order. */
  logs: { msg: string; [k: string]: unknown }[];
  exited: Promise<number | null>;
  hasLogged(msg: string, after?: number): boolean;
}

/** Starts apps/relay/src/main.ts against `databaseUrl` on a free port; resolves once it listens. */
export async function startRelayProcess(
  databaseUrl: string,
  extraEnv: Record<string, string> = {},
  preload: string[] = [],
): Promise<RelayProcess> {
  const imports = preload.flatMap((file) => ["--import", file]);
  const child = spawn(process.execPath, ["--import", "tsx", ...imports, path.join(REPO, "apps/relay/src/main.ts")], {
    cwd: path.join(REPO, "apps/relay"),
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      CAIRN_RELAY_PORT: "0",
      CAIRN_RELAY_HOST: "127.0.0.1",
      CAIRN_WEB_ORIGINS: WEB_ORIGIN,
      CAIRN_SERVER_SECRET: "cd".repeat(32),
      CAIRN_LEDGER: "embedded",
      CAIRN_ANCHOR_INTERVAL_MS: "50",
      CAIRN_LOG_LEVEL: "info",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const logs: RelayProcess["logs"] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let buffered = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as RelayProcess["logs"][number]);
      } catch {
        // not a log line
      }
    }
  });
  let gone = false;
  void exited.then(() => (gone = true));
  await until(() => gone || logs.some((l) => l.msg === "relay listening"), "the relay to listen", 90_000);
  const listening = logs.find((l) => l.msg === "relay listening");
  if (!listening || typeof listening.url !== "string") throw new Error("relay exited before listening");
  return {
    url: listening.url,
    child,
    logs,
    exited,
    hasLogged: (msg, after = 0) => logs.slice(after).some((l) => l.msg === msg),
  };
}
