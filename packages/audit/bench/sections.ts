/** Replaces (or appends) one "## name" section of the repository's BENCHMARKS.md, keeping the others. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const BENCHMARKS_MD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../BENCHMARKS.md");

export function writeSection(name: string, body: string): void {
  const text = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, "utf8") : "# Benchmarks\n";
  const heading = `## ${name}`;
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.trim() === heading);
  let next: string[];
  if (start < 0) {
    next = [...lines.join("\n").trimEnd().split("\n"), "", ...body.trimEnd().split("\n"), ""];
  } else {
    let end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
    if (end < 0) end = lines.length;
    next = [...lines.slice(0, start), ...body.trimEnd().split("\n"), "", ...lines.slice(end)];
  }
  writeFileSync(BENCHMARKS_MD, `${next.join("\n").trimEnd()}\n`);
  console.log(`wrote "${heading}" in ${BENCHMARKS_MD}`);
}
