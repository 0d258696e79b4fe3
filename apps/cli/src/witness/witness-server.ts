/**
 * `cairn witness`: a tlog-witness (c2sp.org/tlog-witness) another organisation runs with
 * its own key. It cosigns a Cairn log's checkpoints only when the log signed them and a
 * consistency proof shows each extends the last one it cosigned (@cairn/audit
 * addCheckpoint), so the log cannot show two histories to two parties that both check
 * cosignatures. Its key (a 32-byte seed, hex, mode 0600) and its state (the last
 * cosigned tree per log) live in its data directory; the state is written before a
 * cosignature is answered, so a crash never leads it to cosign two trees of one size.
 *
 *   POST /add-checkpoint   the request body of the spec; answers as addCheckpoint does
 *   GET  /key              the witness's verifier key (for the verifier's policy)
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { addCheckpoint, formatVerifierKey, parseVerifierKey, SIG_TYPE_COSIGNATURE_V1, type WitnessedTree } from "@cairn/audit";
import { ed25519Signer, verifyEd25519 } from "@cairn/audit/node";

export interface WitnessOptions {
  dataDir: string;
  port: number;
  host?: string;
  /** The witness's key name, e.g. "witness.org2.example". */
  name: string;
  /** The log's verifier key ("<origin>+<id>+<key>"); its name is the log's origin. */
  logKey: string;
}

export interface RunningWitness {
  url: string;
  /** The witness's cosignature verifier key, for `cairn verify --witness`. */
  verifierKey: string;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

function readSeed(file: string): Uint8Array {
  try {
    const hex = readFileSync(file, "utf8").trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${file} is not a 32-byte hex key`);
    return Buffer.from(hex, "hex");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    const seed = randomBytes(32);
    writeFileSync(file, `${seed.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
    return seed;
  }
}

function readState(file: string): WitnessedTree | null {
  try {
    const o = JSON.parse(readFileSync(file, "utf8")) as { treeSize: number; rootHash: string };
    return { treeSize: o.treeSize, rootHash: Buffer.from(o.rootHash, "base64") };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(`${file} is not a witness state file`, { cause: err });
  }
}

function writeState(file: string, state: WitnessedTree): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify({ treeSize: state.treeSize, rootHash: Buffer.from(state.rootHash).toString("base64") }), { mode: 0o600 });
  renameSync(tmp, file);
}

function body(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Starts the witness; resolves once it listens. @throws Error for a bad log key or an unreadable key or state file */
export async function startWitness(opts: WitnessOptions): Promise<RunningWitness> {
  const log = parseVerifierKey(opts.logKey);
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const signer = ed25519Signer(readSeed(path.join(opts.dataDir, "witness-key")));
  const stateFile = path.join(opts.dataDir, `witness-state-${Buffer.from(log.keyId).toString("hex")}.json`);
  let state = readState(stateFile);
  let queue: Promise<unknown> = Promise.resolve();
  const deps = {
    witness: { name: opts.name, publicKey: signer.publicKey, sign: (m: Uint8Array) => signer.sign(m) },
    log: { origin: log.name, key: log },
    verifyEd25519,
    now: () => Math.floor(Date.now() / 1000),
  };
  const verifierKey = formatVerifierKey(opts.name, SIG_TYPE_COSIGNATURE_V1, signer.publicKey);

  const server: Server = createServer((req, res) => {
    const reply = (status: number, text: string, type = "text/plain; charset=utf-8") => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
      res.end(text);
    };
    const url = new URL(req.url ?? "/", "http://witness");
    if (req.method === "GET" && url.pathname === "/key") return reply(200, `${verifierKey}\n`);
    if (req.method !== "POST" || url.pathname !== "/add-checkpoint") return reply(404, "not found\n");
    // One request at a time: each answer depends on the state the one before left.
    queue = queue
      .then(async () => {
        const text = await body(req);
        if (text === null) return reply(413, "request too large\n");
        const answer = addCheckpoint(state, text, deps);
        if (answer.status === 200) {
          writeState(stateFile, answer.state);
          state = answer.state;
        }
        reply(answer.status, answer.body, answer.status === 409 ? "text/x.tlog.size" : "text/plain; charset=utf-8");
      })
      .catch(() => reply(500, "internal error\n"));
  });
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    verifierKey,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
