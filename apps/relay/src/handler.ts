/**
 * One wrapper for every client event: size limit, schema check, error mapping.
 * No event can crash the process or close the connection; the client always gets
 * `{ ok: true, ... }` or `{ ok: false, error: { code, message } }` back.
 */
import { CairnError, MAX_EVENT_BYTES, toErrorBody, type Ack } from "@cairn/protocol";
import type { Socket } from "socket.io";
import type { z } from "zod";
import { errorFields, type Logger } from "./log";

type AckFn = (response: Ack<Record<string, unknown>>) => void;

/** Serialized size of an event payload, as the client sent it. */
function payloadSize(payload: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(payload) ?? "", "utf8");
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

export function onEvent<S extends z.ZodType, R extends Record<string, unknown>>(
  socket: Socket,
  event: string,
  schema: S,
  log: Logger,
  handle: (input: z.infer<S>) => Promise<R>,
): void {
  socket.on(event, (payload: unknown, ack: unknown) => {
    const reply: AckFn = typeof ack === "function" ? (ack as AckFn) : () => {};
    void (async () => {
      try {
        if (payloadSize(payload) > MAX_EVENT_BYTES) {
          throw new CairnError("PAYLOAD_TOO_LARGE", `Events are limited to ${MAX_EVENT_BYTES} bytes.`);
        }
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          const where = parsed.error.issues[0]?.path.join(".") || "payload";
          throw new CairnError("VALIDATION_FAILED", `Invalid ${event}: ${where}.`);
        }
        const result = await handle(parsed.data);
        reply({ ok: true, ...result });
      } catch (err) {
        const body = toErrorBody(err);
        if (body.error.code === "INTERNAL") log.error("event failed", { event, ...errorFields(err) });
        else log.info("event refused", { event, code: body.error.code });
        reply({ ok: false, error: body.error });
      }
    })();
  });
}
