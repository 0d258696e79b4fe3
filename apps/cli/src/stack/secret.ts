import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * The server secret (the key of on-chain user refs): made once per installation and
 * kept in the data directory, readable only by its owner. Losing it unlinks users
 * from their on-chain records; it is never printed or logged.
 */
export function loadOrCreateSecret(file: string): string {
  const existing = readSecret(file);
  if (existing) return existing;
  const value = randomBytes(32).toString("hex");
  writeFileSync(file, value + "\n", { mode: 0o600 });
  return value;
}

/**
 * The secret kept in `file`, or undefined when there is no such file (nothing is created).
 * @throws Error when the file does not hold a 64-hex-digit secret
 */
export function readSecret(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const value = readFileSync(file, "utf8").trim();
  if (!/^[0-9a-f]{64}$/.test(value)) throw new Error(`${file} does not hold a 64-hex-digit secret`);
  return value;
}
