/**
 * The relay benchmark's clients, in a process of their own so that what is measured is
 * the server's work, not the clients' signing, encoding and receiving on the server's
 * event loop. The parent (relay.ts) sends `init` (the users and both servers' URLs),
 * then one `phase` per measurement, then `close`; each is answered once.
 */
import { createPrivateKey } from "node:crypto";
import type { FromClients, ToClients, WireBenchUser } from "./relay-clients-process";
import { runPhase, type Sender } from "./relay-phases";
import { clientFor, connected, envelopeFor, type BenchUser } from "./relay-world";

function userFromWire(u: WireBenchUser): BenchUser {
  return { ...u, key: createPrivateKey({ key: Buffer.from(u.key, "base64"), format: "der", type: "pkcs8" }) };
}

let n = 0;
async function senders(url: string, users: BenchUser[], isBare: boolean): Promise<Sender[]> {
  const list = users.map((u) => ({ socket: clientFor(url, u, isBare), next: () => ({ n: ++n, envelope: envelopeFor(u, n) }) }));
  await Promise.all(list.map((s) => connected(s.socket)));
  if (!isBare) await Promise.all(list.map((s, i) => s.socket.emitWithAck("room:subscribe", { roomId: users[i]?.roomId })));
  return list;
}

const reply = (m: FromClients) => process.send?.(m);
let relaySenders: Sender[] = [];
let bareSenders: Sender[] = [];

async function handle(m: ToClients): Promise<void> {
  switch (m.type) {
    case "init": {
      const users = m.users.map(userFromWire);
      relaySenders = await senders(m.relayUrl, users, false);
      bareSenders = await senders(m.bareUrl, users, true);
      reply({ type: "ready" });
      return;
    }
    case "phase":
      reply({ type: "result", result: await runPhase(m.who === "relay" ? relaySenders : bareSenders, m.load, m.seconds) });
      return;
    case "close":
      for (const s of [...relaySenders, ...bareSenders]) s.socket.close();
      process.exit(0);
  }
}

process.on("message", (m: ToClients) => {
  handle(m).catch((err: unknown) => reply({ type: "failed", message: err instanceof Error ? err.message : String(err) }));
});
