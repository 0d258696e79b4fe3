/**
 * One wrapper for every client event: rate limits, size limit, schema check, error
 * mapping. No event can crash the process or close the connection; the client always
 * gets `{ ok: true, ... }` or `{ ok: false, error: { code, message } }` back
 * (retryable codes add `retryAfterMs`), and a refused event runs nothing.
 */
import {
  CairnError,
  EVENTS,
  MAX_EVENT_BYTES,
  toErrorBody,
  type Ack,
  type ClientEventAck,
  type ClientEventName,
  type ClientEventPayload,
} from "@cairn/protocol";
import type { z } from "zod";
import { errorFields, type Logger } from "@cairn/log";
import type { RelayServer, RelaySocket } from "./app";
import type { EventLimits } from "./rate-limit/limits";

const limitsOf = new WeakMap<object, EventLimits>();

/**
 * Applies `limits` to every event that {@link onEvent} handles on sockets of `io`,
 * from the next event on: per socket and per user for each event kind, and per user
 * for the session shares a `shares:send` fans out.
 */
export function limitEvents(io: RelayServer, limits: EventLimits): void {
  limitsOf.set(io, limits);
}

type AckFn = (response: Ack<object>) => void;

/** Serialized size of an event payload, as the client sent it. */
function payloadSize(payload: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(payload) ?? "", "utf8");
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Admission control for one event kind: called first, before any other work; throws
 * (OVERLOADED) to refuse the event at once, or returns what to call once it is answered.
 */
export type Admit = () => () => void;

/**
 * Handles client event `event`: its schema must accept exactly the event's payload type
 * (socket-events.ts in @cairn/protocol) and may decode it on the way (the handler gets
 * the schema's output, and the payload as sent once the schema accepted it); the
 * handler must return the event's ack data. The listener takes `unknown`: a client
 * may send anything, and only the schema decides.
 */
export function onEvent<E extends ClientEventName, Parsed = ClientEventPayload<E>>(
  socket: RelaySocket,
  event: E,
  schema: z.ZodType<Parsed, ClientEventPayload<E>>,
  log: Logger,
  handle: (input: Parsed, sent: ClientEventPayload<E>) => Promise<ClientEventAck<E>>,
  admit?: Admit,
): void {
  const listener = (payload: unknown, ack: unknown): void => {
    const reply: AckFn = typeof ack === "function" ? (ack as AckFn) : () => {};
    void (async () => {
      let release: (() => void) | undefined;
      try {
        // Refusing under overload must cost less than the work it saves.
        release = admit?.();
        const limits = limitsOf.get(socket.nsp.server);
        // Before anything else, so a flood of even malformed events costs little.
        await limits?.event(event, { socketId: socket.id, userId: socket.data.userId });
        if (payloadSize(payload) > MAX_EVENT_BYTES) {
          throw new CairnError("PAYLOAD_TOO_LARGE", `Events are limited to ${MAX_EVENT_BYTES} bytes.`);
        }
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          const where = parsed.error.issues[0]?.path.join(".") || "payload";
          throw new CairnError("VALIDATION_FAILED", `Invalid ${event}: ${where}.`);
        }
        // Accepted by a strict schema, the payload is the event's type (plain JSON from the transport).
        const sent = payload as ClientEventPayload<E>;
        if (limits && event === EVENTS.sendShares) {
          await limits.shares(socket.data.userId, (sent as ClientEventPayload<typeof EVENTS.sendShares>).shares.length);
        }
        const result: object = await handle(parsed.data, sent);
        reply({ ok: true, ...result });
      } catch (err) {
        const body = toErrorBody(err);
        if (body.error.code === "INTERNAL") log.error("event failed", { event, ...errorFields(err) });
        // A flood is refused once per event: at debug level, so it cannot flood the log too.
        else if (body.error.code === "RATE_LIMITED" || body.error.code === "OVERLOADED") {
          log.debug("event refused", { event, code: body.error.code, userId: socket.data.userId });
        }
        else log.info("event refused", { event, code: body.error.code });
        reply({ ok: false, error: body.error });
      } finally {
        release?.();
      }
    })();
  };
  socket.on<ClientEventName>(event, listener);
}
