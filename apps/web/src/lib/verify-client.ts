"use client";
/**
 * The main thread's handle on the verify worker: one verification per call, with
 * progress callbacks. The worker is created for the call and ended after it.
 */
import type { VerificationResult } from "./verify-client-run";

export type { VerificationResult, MessageRow, CheckpointMark } from "./verify-client-run";

export interface VerifyWorkerRequest {
  file: File;
  relayUrl: string;
  /** The officer's witness policy: cosignature verifier keys and how many must have cosigned (null: all). */
  witnesses: string[];
  witnessesRequired: number | null;
}

export interface VerifyProgress {
  lines: number;
  messages: number;
  bytes: number;
  totalBytes: number;
}

export type VerifyWorkerResponse =
  | ({ kind: "progress" } & VerifyProgress)
  | { kind: "done"; result: VerificationResult }
  | { kind: "error"; name: string; code: string | null; message: string };

/** A bundle that cannot be judged (not a bundle, unknown version) or a ledger that cannot be read. */
export class VerifyFailedError extends Error {
  constructor(
    readonly reason: "unusable" | "ledger" | "internal",
    message: string,
  ) {
    super(message);
    this.name = "VerifyFailedError";
  }
}

/** Verifies `file` in a Web Worker against the relay's ledger view. @throws VerifyFailedError */
export function verifyBundleFile(
  file: File,
  relayUrl: string,
  onProgress: (p: VerifyProgress) => void,
  policy: { witnesses: string[]; witnessesRequired: number | null } = { witnesses: [], witnessesRequired: null },
): Promise<VerificationResult> {
  const worker = new Worker(new URL("./verify-client.worker.ts", import.meta.url), { type: "module" });
  return new Promise<VerificationResult>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<VerifyWorkerResponse>) => {
      const msg = event.data;
      if (msg.kind === "progress") {
        onProgress(msg);
        return;
      }
      worker.terminate();
      if (msg.kind === "done") resolve(msg.result);
      else {
        const reason = msg.name === "BundleUnusableError" ? "unusable" : msg.code === "LEDGER_UNAVAILABLE" ? "ledger" : "internal";
        reject(new VerifyFailedError(reason, msg.message));
      }
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new VerifyFailedError("internal", event.message || "the verifier stopped"));
    };
    const req: VerifyWorkerRequest = { file, relayUrl, ...policy };
    worker.postMessage(req);
  });
}
