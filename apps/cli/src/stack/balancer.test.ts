/**
 * The balancer of `cairn start --relays` in front of two real Socket.IO servers that
 * name themselves in their session ids, as relays do: long-polling sessions stay on
 * the server that issued them (a misrouted request would be refused by the other),
 * WebSocket and polling-then-upgrade connections work, new sessions are spread over
 * both, and a session whose server is gone gets Engine.IO's "unknown session" answer
 * while new ones go to the server still up.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server as HttpServer } from "node:http";
import { relaySessionId } from "@cairn/protocol";
import { Server } from "socket.io";
import { io as connect, type Socket } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { parseBackend, startBalancer, type Balancer } from "./balancer";

interface Backend {
  id: string;
  port: number;
  http: HttpServer;
  io: Server;
}

async function backend(id: string): Promise<Backend> {
  const http = createServer();
  const io = new Server(http);
  io.engine.generateId = () => relaySessionId(id, randomBytes(15).toString("base64url"));
  io.on("connection", (socket) => {
    socket.on("who", (ack: (name: string) => void) => ack(id));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const address = http.address();
  if (!address || typeof address !== "object") throw new Error("no port");
  return { id, port: address.port, http, io };
}

const opened: { backends: Backend[]; balancer: Balancer | null; sockets: Socket[] } = { backends: [], balancer: null, sockets: [] };

async function setUp(): Promise<{ url: string; a: Backend; b: Backend }> {
  const a = await backend("r1");
  const b = await backend("r2");
  opened.backends.push(a, b);
  opened.balancer = await startBalancer({ host: "127.0.0.1", port: 0, backends: [a, b] });
  return { url: `http://127.0.0.1:${opened.balancer.port}`, a, b };
}

async function client(url: string, transports: ("polling" | "websocket")[]): Promise<Socket> {
  const socket = connect(url, { transports, reconnection: false, forceNew: true });
  opened.sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return socket;
}

const who = (s: Socket) => s.timeout(5_000).emitWithAck("who") as Promise<string>;

afterEach(async () => {
  for (const s of opened.sockets.splice(0)) s.disconnect();
  await opened.balancer?.close();
  opened.balancer = null;
  for (const b of opened.backends.splice(0)) {
    await b.io.close();
  }
});

describe("the relay balancer", () => {
  it("keeps each long-polling session on its relay and spreads new sessions over both", async () => {
    const { url } = await setUp();
    const sockets = await Promise.all(Array.from({ length: 6 }, () => client(url, ["polling"])));
    const servedBy: string[] = [];
    for (const s of sockets) {
      // Several round trips each: every one must reach the relay that holds the session.
      const answers = [await who(s), await who(s), await who(s)];
      expect(new Set(answers).size).toBe(1);
      expect(s.id?.length).toBeGreaterThan(0);
      servedBy.push(answers[0] ?? "");
    }
    expect(new Set(servedBy)).toEqual(new Set(["r1", "r2"]));
  });

  it("carries WebSocket connections, and polling sessions that upgrade", async () => {
    const { url } = await setUp();
    const ws = await client(url, ["websocket"]);
    expect(["r1", "r2"]).toContain(await who(ws));
    const upgrading = await client(url, ["polling", "websocket"]);
    await new Promise<void>((resolve) => {
      if (upgrading.io.engine.transport.name === "websocket") return resolve();
      upgrading.io.engine.once("upgrade", () => resolve());
    });
    expect(upgrading.io.engine.transport.name).toBe("websocket");
    expect(["r1", "r2"]).toContain(await who(upgrading));
  });

  it("answers a session of a relay that is gone as unknown, and opens new sessions on the one up", async () => {
    const { url, a } = await setUp();
    await a.io.close(); // also closes its HTTP server: connections to it are refused
    const stale = await fetch(`${url}/socket.io/?EIO=4&transport=polling&sid=${relaySessionId("r1", "x".repeat(20))}`);
    expect(stale.status).toBe(400);
    expect(await stale.json()).toEqual({ code: 1, message: "Session ID unknown" });
    const nobody = await fetch(`${url}/socket.io/?EIO=4&transport=polling&sid=${relaySessionId("r9", "x".repeat(20))}`);
    expect(nobody.status).toBe(400);
    for (let i = 0; i < 4; i++) {
      expect(await who(await client(url, ["polling"]))).toBe("r2");
      expect(await who(await client(url, ["websocket"]))).toBe("r2");
    }
  });
});

describe("parseBackend", () => {
  it("reads id=host:port and refuses anything else with what was expected", () => {
    expect(parseBackend("r1=relay-1:3001")).toEqual({ id: "r1", host: "relay-1", port: 3001 });
    expect(parseBackend("r2=[::1]:4000")).toEqual({ id: "r2", host: "::1", port: 4000 });
    for (const bad of ["relay-1:3001", "r1=relay-1", "r1=relay-1:0", "r1=relay-1:70000", "r.1=h:1", "r1=h:1:2", ""]) {
      expect(() => parseBackend(bad)).toThrow(/expected id=host:port/);
    }
  });
});
