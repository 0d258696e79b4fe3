/**
 * Test fixtures for relay tests: real users, sessions and Ed25519 device keys in a
 * real database, and real Socket.IO clients. Not part of the relay's runtime.
 */
import { generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createSession, subscribeServerEvents, type PrismaClient, type ServerEventSubscription } from "@cairn/db";
import { createTestDatabase, type TestDatabase } from "@cairn/db/testing";
import {
  EVENTS,
  envelopeSigningBytes,
  envelopeToWire,
  toBase64Url,
  type Ack,
  type ClientEventAck,
  type ClientEventName,
  type ClientEventPayload,
  type ClientToServerEvents,
  type Envelope,
  type ServerToClientEvents,
  type WireEnvelope,
} from "@cairn/protocol";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { createRelay, type Relay } from "./app";
import { applyServerEvent } from "./server-events";
import { createLogger } from "@cairn/log";

/** A browser's view of the relay: typed by the same event maps as the relay. */
export type TestClient = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

export interface TestUser {
  id: string;
  username: string;
  token: string;
  deviceId: string;
  signingKey: KeyObject;
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: "jwk" });
  return new Uint8Array(Buffer.from(String(jwk.x), "base64url"));
}

export async function makeUser(prisma: PrismaClient, username: string): Promise<TestUser> {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const user = await prisma.user.create({
    data: { username, salt: randomBytes(16), authHash: "unused", identityPublicKey: randomBytes(32) },
  });
  const deviceId = toBase64Url(randomBytes(16));
  await prisma.device.create({
    data: {
      id: deviceId,
      userId: user.id,
      name: "test",
      signingPublicKey: new Uint8Array(rawPublicKey(publicKey)),
      agreementPublicKey: randomBytes(32),
      signature: randomBytes(64),
    },
  });
  const { token } = await createSession(prisma, user.id);
  return { id: user.id, username, token, deviceId, signingKey: privateKey };
}

export async function makeRoom(prisma: PrismaClient, members: TestUser[]): Promise<string> {
  const room = await prisma.room.create({
    data: {
      name: "room",
      createdBy: members[0]?.id ?? randomUUID(),
      members: { create: members.map((m) => ({ userId: m.id })) },
    },
  });
  return room.id;
}

export function signedEnvelope(user: TestUser, roomId: string, ciphertext = randomBytes(64)): WireEnvelope {
  const unsigned: Omit<Envelope, "signature"> = {
    version: 1,
    roomId,
    senderDeviceId: user.deviceId,
    sessionId: randomBytes(16),
    index: 0,
    prevHash: new Uint8Array(32),
    nonce: randomBytes(24),
    ciphertext,
  };
  const signature = new Uint8Array(sign(null, envelopeSigningBytes(unsigned), user.signingKey));
  return envelopeToWire({ ...unsigned, signature });
}

export interface RunningRelay {
  relay: Relay;
  url: string;
  logs: string[];
  close(): Promise<void>;
}

/** The web origin test relays allow and test clients send. */
export const TEST_ORIGIN = "http://localhost:3000";

export async function startRelay(
  prisma: PrismaClient,
  onStored?: () => void,
  opts: { allowMissingOrigin?: boolean } = {},
): Promise<RunningRelay> {
  const logs: string[] = [];
  const http: Server = createServer();
  const relay = createRelay(http, {
    prisma,
    log: createLogger("debug", (line) => logs.push(line)),
    corsOrigins: [TEST_ORIGIN],
    ...(opts.allowMissingOrigin !== undefined ? { allowMissingOrigin: opts.allowMissingOrigin } : {}),
    ...(onStored ? { onStored } : {}),
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    relay,
    url: `http://127.0.0.1:${port}`,
    logs,
    close: async () => {
      await relay.close();
      http.close();
    },
  };
}

export interface ClientOptions {
  /** The Origin header a browser on that page would send (default TEST_ORIGIN); null sends none. */
  origin?: string | null;
  transport?: "websocket" | "polling";
}

/** A client as a browser on `opts.origin` opens it: the session cookie, the device id, one transport. */
export function client(
  url: string,
  user: Pick<TestUser, "token" | "deviceId"> | null,
  auth?: unknown,
  opts: ClientOptions = {},
): TestClient {
  const origin = opts.origin === undefined ? TEST_ORIGIN : opts.origin;
  const headers: Record<string, string> = {};
  if (origin !== null) headers.origin = origin;
  if (user) headers.cookie = `cairn_session=${user.token}`;
  return connect(url, {
    transports: [opts.transport ?? "websocket"],
    upgrade: false,
    reconnection: false,
    forceNew: true,
    auth: (auth ?? (user ? { deviceId: user.deviceId } : {})) as Record<string, unknown>,
    extraHeaders: headers,
  });
}

export function connected(socket: TestClient): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
}

/** Emits a well-formed event and waits for the relay's ack. */
export function emitAck<E extends ClientEventName>(
  socket: TestClient,
  event: E,
  payload: ClientEventPayload<E>,
): Promise<Ack<ClientEventAck<E>>> {
  return emitUnchecked(socket, event, payload);
}

/**
 * Emits any payload under a client event name (what a misbehaving client can send)
 * and waits for the relay's ack: for tests of the relay's input checks.
 */
export function emitUnchecked(socket: TestClient, event: ClientEventName, payload: unknown): Promise<Ack<object>> {
  // The untyped view of the same socket: the event maps forbid malformed payloads.
  const raw = socket as unknown as ClientSocket;
  return raw.timeout(10_000).emitWithAck(event, payload) as Promise<Ack<object>>;
}

export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: TestClient,
  event: E,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve) => {
    const listener = (data: Parameters<ServerToClientEvents[E]>[0]) => resolve(data);
    socket.once<keyof ServerToClientEvents>(event, listener);
  });
}

/** The test clients a test file opens, all closed by {@link SocketPool.closeAll} (afterEach/afterAll). */
export interface SocketPool {
  /** Connects `user` to the relay at `url` and keeps the socket for closeAll. */
  open(url: string, user: Pick<TestUser, "token" | "deviceId">): Promise<TestClient>;
  /** Keeps a socket opened elsewhere for closeAll. */
  track(socket: TestClient): void;
  closeAll(): void;
}

export function socketPool(): SocketPool {
  const sockets: TestClient[] = [];
  return {
    async open(url, user) {
      const s = client(url, user);
      sockets.push(s);
      await connected(s);
      return s;
    },
    track: (socket) => void sockets.push(socket),
    closeAll: () => {
      for (const s of sockets.splice(0)) s.disconnect();
    },
  };
}

/** Resolves once every packet the relay sent `socket` before this call has arrived. */
export async function drained(socket: TestClient): Promise<void> {
  expect((await emitAck(socket, EVENTS.ackShares, { ids: ["1"] })).ok).toBe(true);
}

export interface RelayWithServerEvents {
  readonly db: TestDatabase;
  readonly relay: RunningRelay;
  /** Connects `user`; every socket opened so is closed after each test. */
  open: (user: TestUser) => Promise<TestClient>;
}

/**
 * For a test file: a relay on a fresh test database that applies the server events it
 * hears over LISTEN/NOTIFY, as main.ts wires it. Registers the file's hooks; read `db`
 * and `relay` inside tests (they exist once beforeAll ran).
 */
export function useRelayWithServerEvents(): RelayWithServerEvents {
  let db: TestDatabase | undefined;
  let relay: RunningRelay | undefined;
  let events: ServerEventSubscription | undefined;
  const sockets = socketPool();
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("useRelayWithServerEvents: read before beforeAll ran");
    return value;
  };
  beforeAll(async () => {
    db = await createTestDatabase();
    const running = await startRelay(db.prisma);
    relay = running;
    const prisma = db.prisma;
    const log = createLogger("error", () => undefined);
    events = await subscribeServerEvents(db.url, (event) => applyServerEvent(running.relay, prisma, log, event));
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await events?.close();
    await relay?.close();
    await db?.drop();
  });
  return {
    get db() {
      return ready(db);
    },
    get relay() {
      return ready(relay);
    },
    open: (user) => sockets.open(ready(relay).url, user),
  };
}
