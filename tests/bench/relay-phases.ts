/**
 * One measured phase against one server (the relay or the bare baseline): clients
 * send pre-signed envelopes either closed-loop (each keeps `inFlight` unacked; a refused
 * send waits its `retryAfterMs` before the next, as the web client does) or open-loop
 * at a fixed rate (refusals counted, nothing resent), for `seconds`; every ack and every delivery to the other
 * members is timed against its send.
 */
import type { Socket } from "socket.io-client";
import type { WireEnvelope } from "@cairn/protocol";
import { messageNumber } from "./relay-world";

export interface PhaseResult {
  sent: number;
  accepted: number;
  refused: number;
  /** Refusals by error code ("TIMEOUT" when no ack came within 30 s). */
  refusedBy: Record<string, number>;
  /** Accepted per second of the sending window. */
  acceptedPerSec: number;
  ackMs: number[];
  deliverMs: number[];
}

export type Load = { kind: "closed"; inFlight: number } | { kind: "open"; perSec: number };

export interface Sender {
  socket: Socket;
  /** Envelopes ready to send, each with its message number. */
  next(): { n: number; envelope: WireEnvelope };
}

const ACK_TIMEOUT_MS = 30_000;

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export async function runPhase(senders: Sender[], load: Load, seconds: number): Promise<PhaseResult> {
  const sentAt = new Map<number, number>();
  const result: PhaseResult = { sent: 0, accepted: 0, refused: 0, refusedBy: {}, acceptedPerSec: 0, ackMs: [], deliverMs: [] };
  const refuse = (code: string) => {
    result.refused++;
    result.refusedBy[code] = (result.refusedBy[code] ?? 0) + 1;
  };
  const onDeliver = (m: { envelope: { ciphertext: string } }) => {
    const at = sentAt.get(messageNumber(m.envelope));
    if (at !== undefined) result.deliverMs.push(performance.now() - at);
  };
  for (const s of senders) s.socket.on("message:new", onDeliver);
  const start = performance.now();
  const end = start + seconds * 1000;
  let acceptedInWindow = 0;
  const pending = new Set<Promise<void>>();

  const sendOne = (s: Sender): Promise<void> => {
    const { n, envelope } = s.next();
    const t0 = performance.now();
    sentAt.set(n, t0);
    result.sent++;
    const p = (s.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("message:send", { clientMsgId: `bench-${String(n).padStart(8, "0")}`, envelope }) as Promise<{ ok: boolean; error?: { code?: string; retryAfterMs?: number } }>)
      .then(async (ack) => {
        const t = performance.now();
        if (ack.ok) {
          result.accepted++;
          if (t <= end) acceptedInWindow++;
          result.ackMs.push(t - t0);
          return;
        }
        refuse(ack.error?.code ?? "?");
        // As the web client does: a refused sender waits as long as the relay asked.
        const wait = ack.error?.retryAfterMs;
        if (wait) await new Promise((r) => setTimeout(r, Math.min(wait, end - t)));
      })
      .catch(() => refuse("TIMEOUT"));
    const tracked = p.finally(() => pending.delete(tracked));
    pending.add(tracked);
    return tracked;
  };

  if (load.kind === "closed") {
    const loop = async (s: Sender) => {
      while (performance.now() < end) await sendOne(s);
    };
    await Promise.all(senders.flatMap((s) => Array.from({ length: load.inFlight }, () => loop(s))));
  } else {
    const tickMs = 10;
    let due = 0;
    let k = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = performance.now();
        if (now >= end) {
          clearInterval(timer);
          resolve();
          return;
        }
        due = ((now - start) / 1000) * load.perSec;
        while (result.sent < due) void sendOne(senders[k++ % senders.length] as Sender);
      }, tickMs);
    });
  }
  await Promise.all([...pending]);
  // Let the last fan-out arrive.
  await new Promise((r) => setTimeout(r, 500));
  for (const s of senders) s.socket.off("message:new", onDeliver);
  result.acceptedPerSec = acceptedInWindow / seconds;
  return result;
}
