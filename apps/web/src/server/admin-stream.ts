import "server-only";
import type { LineSink } from "@cairn/audit";

const encoder = new TextEncoder();

/**
 * A byte stream fed by a line writer with backpressure: `produce` receives a sink that
 * waits while the reader is behind (the stream's queue is full), so a slow download
 * holds the export's cursor instead of buffering the room in memory. When the reader
 * cancels (the admin closes the tab) the sink throws and `produce` stops; when
 * `produce` throws, the stream errors and the download ends without a trailer (the
 * verifier then reports `truncated-bundle`).
 */
export function lineStream(produce: (sink: LineSink) => Promise<void>, highWaterMark = 64): ReadableStream<Uint8Array> {
  let wake: (() => void) | null = null;
  let cancelled = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const sink: LineSink = async (line) => {
    if (cancelled) throw new Error("export download cancelled");
    controller.enqueue(encoder.encode(line));
    while ((controller.desiredSize ?? 1) <= 0 && !cancelled) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    if (cancelled) throw new Error("export download cancelled");
  };
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        void produce(sink).then(
          () => controller.close(),
          (err: unknown) => {
            if (!cancelled) {
              console.error("[web] export failed mid-stream", err);
              controller.error(err);
            }
          },
        );
      },
      pull() {
        wake?.();
        wake = null;
      },
      cancel() {
        cancelled = true;
        wake?.();
        wake = null;
      },
    },
    new CountQueuingStrategy({ highWaterMark }),
  );
}
