/** Reading and re-writing a bundle's lines in tests, as an attacker who knows the format would. */
import { createHash } from "node:crypto";
import type { FindingCode, VerifyReport } from "@cairn/audit";

export type Json = Record<string, unknown> & { type: string };

export const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as Json);
export const dump = (objs: Json[]) => objs.map((o) => JSON.stringify(o));

/** Re-seals the trailer over the (tampered) lines, so that only the chain can tell. */
export function reseal(lines: string[]): string[] {
  const body = lines.filter((l) => (JSON.parse(l) as Json).type !== "trailer");
  const trailer = JSON.parse(lines[lines.length - 1] as string) as Json;
  const hash = createHash("sha256");
  for (const l of body) hash.update(`${l}\n`);
  const messages = body.filter((l) => (JSON.parse(l) as Json).type === "message").length;
  return [...body, JSON.stringify({ ...trailer, messages, lines: body.length, sha256: hash.digest("hex") })];
}

export function messageIndex(objs: Json[], roomSeq: number): number {
  return objs.findIndex((o) => o.type === "message" && o.roomSeq === roomSeq);
}

export function codes(r: VerifyReport): FindingCode[] {
  return r.findings.map((f) => f.code);
}
