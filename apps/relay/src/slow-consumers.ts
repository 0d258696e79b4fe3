/**
 * Slow consumers: a client that stops reading (a frozen tab, a stalled network) must
 * not make the relay hold an ever-growing backlog for it, nor slow anyone else. Fan-out
 * never waits for a socket; what a socket has not taken yet waits in its own buffers,
 * and a sweep disconnects any socket whose backlog passes a bound. The client then
 * reconnects and re-reads what it missed by room sequence number (docs/relay-operations.md).
 */
import type { Logger } from "@cairn/log";
import type { RelayServer, RelaySocket } from "./app";

export interface SlowConsumerLimits {
  /** Packets waiting in the connection's own queue (not yet handed to the transport). */
  maxQueuedPackets: number;
  /** Bytes handed to the WebSocket but not yet taken by the peer. */
  maxBufferedBytes: number;
  /** How often every socket is checked. */
  checkEveryMs: number;
}

export const DEFAULT_SLOW_CONSUMER_LIMITS: SlowConsumerLimits = {
  maxQueuedPackets: 2_000,
  maxBufferedBytes: 8 * 1024 * 1024,
  checkEveryMs: 1_000,
};

/**
 * The backlog of one connection. Engine.IO keeps packets in `writeBuffer` while its
 * transport is not writable; the WebSocket transport's `socket` (ws) counts bytes the
 * kernel has not accepted yet. Neither is public API, hence the narrow structural read:
 * a missing field counts as an empty backlog.
 */
export function backlog(socket: RelaySocket): { packets: number; bytes: number } {
  const conn = socket.conn as unknown as {
    writeBuffer?: unknown[];
    transport?: { socket?: { bufferedAmount?: unknown } };
  };
  const bytes = conn.transport?.socket?.bufferedAmount;
  return { packets: conn.writeBuffer?.length ?? 0, bytes: typeof bytes === "number" ? bytes : 0 };
}

/** Starts the sweep; returns what stops it. */
export function watchSlowConsumers(io: RelayServer, log: Logger, limits: SlowConsumerLimits): () => void {
  const timer = setInterval(() => {
    for (const socket of io.of("/").sockets.values()) {
      const { packets, bytes } = backlog(socket);
      if (packets <= limits.maxQueuedPackets && bytes <= limits.maxBufferedBytes) continue;
      log.warn("slow consumer disconnected", { userId: socket.data.userId, deviceId: socket.data.deviceId, packets, bytes });
      socket.disconnect(true);
    }
  }, limits.checkEveryMs);
  timer.unref();
  return () => clearInterval(timer);
}
