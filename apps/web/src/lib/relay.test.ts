/**
 * The browser's relay client against a real Socket.IO server on port 0 that answers
 * like an overloaded or silent relay: every message is eventually acked once, with
 * backoff between sends, and only non-retryable refusals reach the user.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { EVENTS, type WireEnvelope } from "@cairn/protocol";
import { Server } from "socket.io";
import { afterEach, describe, expect, it } from "vitest";
import type { CryptoApi } from "../worker/api";
import { RelayClient, resendDelay, MAX_SEND_ATTEMPTS } from "./relay";

type Answer = (n: number) => object | null;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A relay that answers the n-th send (1-based) of each message with `answer(n)`, or not at all for null. */
async function fakeRelay(answer: Answer): Promise<{ url: string; sends: Map<string, number[]> }> {
  const http = createServer();
  const io = new Server(http);
  const sends = new Map<string, number[]>();
  io.on("connection", (socket) => {
    socket.on(EVENTS.sendMessage, (event: { clientMsgId: string }, ack: (r: object) => void) => {
      const times = sends.get(event.clientMsgId) ?? [];
      times.push(performance.now());
      sends.set(event.clientMsgId, times);
      const reply = answer(times.length);
      if (reply) ack(reply);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise<void>((resolve) => void io.close(() => resolve())));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, sends };
}

const envelope = { roomId: "r" } as unknown as WireEnvelope;
let failed = 0;
/** Only what send() uses of the crypto worker: one envelope per message. */
const crypto = {
  encrypt: () => Promise.resolve({ clientMsgId: `msg-${Math.random().toString(36).slice(2, 12)}`, envelope, shares: [] }),
  messageFailed: () => {
    failed += 1;
    return Promise.resolve();
  },
} as unknown as CryptoApi;

function client(url: string, ackTimeoutMs = 5_000, delay?: () => number): RelayClient {
  const c = new RelayClient(url, "device", {
    crypto,
    roomKeys: () => Promise.resolve({ users: [], events: [] }),
    ackTimeoutMs,
    transports: ["websocket"],
    ...(delay ? { resendDelay: delay } : {}),
  });
  closers.push(() => Promise.resolve(c.close()));
  return c;
}

const OK = { ok: true, roomSeq: 7, leafIndex: 70, serverTime: new Date(0).toISOString() };
const refusal = (code: string, retryAfterMs?: number) => ({ ok: false, error: { code, message: code, retryAfterMs } });

describe("RelayClient sends", () => {
  it("backs off and resends after OVERLOADED until the relay acks, waiting at least what the relay asked", async () => {
    const relay = await fakeRelay((n) => (n < 3 ? refusal("OVERLOADED", 120) : OK));
    const ack = await client(relay.url).send("r", "hello");
    expect(ack.roomSeq).toBe(7);
    const [times] = [...relay.sends.values()];
    expect(times).toHaveLength(3);
    const gaps = (times ?? []).slice(1).map((t, i) => t - (times?.[i] ?? 0));
    expect(gaps.every((g) => g >= 115)).toBe(true);
  });

  it("resends a message the relay did not answer in time, and resolves with the later ack", async () => {
    const relay = await fakeRelay((n) => (n === 1 ? null : OK));
    const ack = await client(relay.url, 200).send("r", "hello");
    expect(ack.leafIndex).toBe(70);
    expect([...relay.sends.values()][0]).toHaveLength(2);
  });

  it("reports a refusal that cannot succeed at once, without resending it", async () => {
    const before = failed;
    const relay = await fakeRelay(() => refusal("NOT_A_MEMBER"));
    await expect(client(relay.url).send("r", "hello")).rejects.toMatchObject({ code: "NOT_A_MEMBER" });
    expect([...relay.sends.values()][0]).toHaveLength(1);
    expect(failed).toBe(before + 1);
  });

  it("gives up after its attempts with the relay's last code", async () => {
    const relay = await fakeRelay(() => refusal("UNAVAILABLE", 1));
    const c = client(relay.url, 5_000, () => 5); // the schedule itself is checked below
    await expect(c.send("r", "hello")).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect([...relay.sends.values()][0]).toHaveLength(MAX_SEND_ATTEMPTS);
  });
});

describe("resendDelay", () => {
  it("grows exponentially with jitter, is capped, and honours (bounded) retryAfterMs", () => {
    expect(resendDelay(1, 0, () => 1)).toBe(250);
    expect(resendDelay(3, 0, () => 1)).toBe(1000);
    expect(resendDelay(3, 0, () => 0)).toBe(500);
    expect(resendDelay(20, 0, () => 1)).toBe(8000);
    expect(resendDelay(1, 5000, () => 1)).toBe(5000);
    expect(resendDelay(1, 10 ** 9, () => 1)).toBe(60_000);
    expect(resendDelay(1, Number.NaN, () => 1)).toBe(250);
  });
});
