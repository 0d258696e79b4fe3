/**
 * Counts client events whose ack has not been sent yet, so a shutdown can wait for
 * them: a message the relay has started to store is committed and acknowledged
 * before the connection closes. Works as Socket.IO socket middleware that wraps each
 * event's ack callback; the handlers themselves are unaware of it.
 */
import type { RelaySocket } from "./app";

type AckFn = (...args: unknown[]) => void;

export interface InFlight {
  /** Tracks the events of one socket (call on connection, before its handlers run). */
  track(socket: RelaySocket): void;
  /** Events received whose ack is still outstanding. */
  pending(): number;
  /** Resolves when nothing is outstanding or after `timeoutMs`, with what is still outstanding. */
  settled(timeoutMs: number): Promise<number>;
}

export function createInFlight(): InFlight {
  let pending = 0;
  const waiters = new Set<() => void>();

  const finish = () => {
    pending -= 1;
    if (pending === 0) for (const wake of [...waiters]) wake();
  };

  return {
    track(socket) {
      socket.use((event, next) => {
        const last = event.length - 1;
        const ack: unknown = event[last];
        // Only events a handler answers: an unknown event name's ack is never called.
        if (last < 1 || typeof ack !== "function" || socket.listenerCount(event[0]) === 0) {
          next();
          return;
        }
        pending += 1;
        let done = false;
        const settle = () => {
          if (done) return;
          done = true;
          finish();
        };
        event[last] = (...args: unknown[]) => {
          settle();
          (ack as AckFn)(...args);
        };
        next();
        // Socket.IO drops an event that arrives as its socket disconnects (its handler
        // never runs, so the ack is never called): that ack is not outstanding.
        process.nextTick(() => {
          if (!socket.connected) settle();
        });
      });
    },
    pending: () => pending,
    settled(timeoutMs) {
      if (pending === 0) return Promise.resolve(0);
      return new Promise((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(pending);
        };
        const timer = setTimeout(wake, timeoutMs);
        waiters.add(wake);
      });
    },
  };
}
