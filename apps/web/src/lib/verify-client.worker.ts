/// <reference lib="webworker" />
/**
 * The compliance page's verifier, off the main thread: streams the uploaded bundle,
 * checks it with @cairn/audit's verifier against the relay's ledger view, and posts
 * progress and the result back.
 */
import "./zod-jitless";
import { witnessPolicy } from "@cairn/audit";
import { relayLedgerView } from "./verify-client-ledger";
import { linesOf } from "./verify-client-lines";
import { runVerification } from "./verify-client-run";
import { sodiumVerifyDeps } from "./verify-client-sodium";
import type { VerifyWorkerRequest, VerifyWorkerResponse } from "./verify-client";

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (event: MessageEvent<VerifyWorkerRequest>) => {
  const { file, relayUrl, witnesses, witnessesRequired } = event.data;
  const post = (msg: VerifyWorkerResponse) => scope.postMessage(msg);
  void (async () => {
    try {
      const crypto = await sodiumVerifyDeps();
      let bytesRead = 0;
      const counted = file.stream().pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            bytesRead += chunk.byteLength;
            controller.enqueue(chunk);
          },
        }),
      );
      const result = await runVerification(linesOf(counted), {
        ...crypto,
        ledger: relayLedgerView(relayUrl),
        ...(witnesses.length > 0 ? { witnessPolicy: witnessPolicy(witnesses, witnessesRequired ?? undefined) } : {}),
        onProgress: ({ lines, messages }) => post({ kind: "progress", lines, messages, bytes: bytesRead, totalBytes: file.size }),
      });
      post({ kind: "done", result });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const code = "code" in e && typeof e.code === "string" ? e.code : null;
      post({ kind: "error", name: e.name, code, message: e.message });
    }
  })();
};
