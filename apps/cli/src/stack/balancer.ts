/**
 * The local balancer of `cairn start --relays N`: one port in front of N relay
 * processes that share rooms through the PostgreSQL adapter. Engine.IO's long polling
 * needs every request of a session at the relay that issued it; each relay names itself
 * in its session ids (`r2.<random>`, @cairn/protocol relay-session-id.ts), so a request
 * carrying `sid` goes to that relay, and nothing is kept per session here. Requests
 * without one (handshakes, WebSocket connections, the ledger endpoints) go round robin to
 * the relays that accept a connection.
 *
 * A session whose relay is gone (killed, restarting) is answered as Engine.IO answers an
 * unknown session, 400 `{"code":1,"message":"Session ID unknown"}`: the client opens a
 * new session on another relay and resumes each room from its last room sequence number.
 */
import http from "node:http";
import net from "node:net";
import { relayOfSessionId } from "@cairn/protocol";

export interface BalancerBackend {
  /** The relay id its session ids carry (CAIRN_RELAY_ID). */
  id: string;
  /** Default 127.0.0.1 (`cairn start` runs its relays on this machine). */
  host?: string;
  port: number;
}

export interface Balancer {
  port: number;
  close(): Promise<void>;
}

const UNKNOWN_SESSION = JSON.stringify({ code: 1, message: "Session ID unknown" });
const LOCAL = "127.0.0.1";

/**
 * Reads `r1=relay-1:3001` (relay id, host, port), as `cairn balance --relay` takes it.
 * @throws RangeError naming what is wrong
 */
export function parseBackend(spec: string): Required<BalancerBackend> {
  const m = /^([A-Za-z0-9-]{1,32})=([A-Za-z0-9.-]{1,253}|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(spec);
  const port = Number(m?.[3]);
  if (!m?.[1] || !m[2] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`not a relay: "${spec}" (expected id=host:port, e.g. r1=relay-1:3001)`);
  }
  return { id: m[1], host: m[2].replace(/^\[|\]$/g, ""), port };
}

/** The relays to try for a request, in order: its session's relay only, or all, round robin. */
type Route = { kind: "session"; backend: BalancerBackend | undefined } | { kind: "any"; backends: BalancerBackend[] };

function sessionOf(url: string | undefined): string | null {
  if (!url) return null;
  const q = url.indexOf("?");
  if (q < 0) return null;
  return new URLSearchParams(url.slice(q + 1)).get("sid");
}

/** Starts the balancer on `host:port` (port 0: any free port). */
export async function startBalancer(opts: { host: string; port: number; backends: BalancerBackend[] }): Promise<Balancer> {
  if (opts.backends.length === 0) throw new RangeError("startBalancer: no relays");
  let next = 0;
  const route = (url: string | undefined): Route => {
    const sid = sessionOf(url);
    if (sid !== null) {
      const id = relayOfSessionId(sid);
      return { kind: "session", backend: opts.backends.find((b) => b.id === id) };
    }
    const start = next++ % opts.backends.length;
    return { kind: "any", backends: [...opts.backends.slice(start), ...opts.backends.slice(0, start)] };
  };
  const agent = new http.Agent({ keepAlive: true });
  /** Upgraded connections: no longer the HTTP server's, closed here on close(). */
  const tunnels = new Set<net.Socket>();

  const server = http.createServer((req, res) => {
    const r = route(req.url);
    // Only a request with no body can be tried on the next relay (its body was not read).
    const retryable = req.method === "GET" || req.method === "HEAD";
    const candidates = r.kind === "session" ? (r.backend ? [r.backend] : []) : retryable ? r.backends : r.backends.slice(0, 1);
    const refuse = () => {
      if (res.headersSent) return void res.destroy();
      if (r.kind === "session") {
        res.writeHead(400, { "content-type": "application/json" }).end(UNKNOWN_SESSION);
      } else {
        res.writeHead(502, { "content-type": "text/plain" }).end("no relay is answering\n");
      }
    };
    const attempt = (i: number) => {
      const backend = candidates[i];
      if (!backend) return refuse();
      const upstream = http.request(
        { host: backend.host ?? LOCAL, port: backend.port, method: req.method, path: req.url, headers: req.headers, agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.once("error", () => res.destroy());
        },
      );
      upstream.once("error", (err: NodeJS.ErrnoException) => {
        // Refused before anything was sent back: that relay is down; try the next one.
        if (!res.headersSent && err.code === "ECONNREFUSED") return attempt(i + 1);
        refuse();
      });
      req.pipe(upstream);
    };
    req.once("error", () => res.destroy());
    attempt(0);
  });

  // WebSocket: the upgrade request and then the raw bytes both ways.
  server.on("upgrade", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const r = route(req.url);
    const candidates = r.kind === "session" ? (r.backend ? [r.backend] : []) : r.backends;
    client.on("error", () => client.destroy());
    tunnels.add(client);
    client.once("close", () => tunnels.delete(client));
    const attempt = (i: number) => {
      const backend = candidates[i];
      if (!backend) {
        const status = r.kind === "session" ? "400 Bad Request" : "502 Bad Gateway";
        return void client.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      }
      const upstream = net.connect(backend.port, backend.host ?? LOCAL);
      let connected = false;
      upstream.once("connect", () => {
        connected = true;
        upstream.on("error", () => client.destroy());
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
        const lines = [`${req.method ?? "GET"} ${req.url ?? "/"} HTTP/${req.httpVersion}`];
        for (let k = 0; k + 1 < req.rawHeaders.length; k += 2) lines.push(`${req.rawHeaders[k]}: ${req.rawHeaders[k + 1]}`);
        upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.once("error", (err: NodeJS.ErrnoException) => {
        if (connected) return; // after connect: handled above
        if (err.code === "ECONNREFUSED" && !client.destroyed) attempt(i + 1);
        else client.destroy();
      });
    };
    attempt(0);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const t of tunnels) t.destroy();
        agent.destroy();
      }),
  };
}
