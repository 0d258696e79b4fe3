import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * The server secret (the key of on-chain user refs): made once per installation and
 * kept in the data directory, readable only by its owner. Losing it unlinks users
 * from their on-chain records; it is never printed or logged.
 */
export function loadOrCreateSecret(file: string): string {
  if (existsSync(file)) {
    const value = readFileSync(file, "utf8").trim();
    if (!/^[0-9a-f]{64}$/.test(value)) throw new Error(`${file} does not hold a 64-hex-digit secret`);
    return value;
  }
  const value = randomBytes(32).toString("hex");
  writeFileSync(file, value + "\n", { mode: 0o600 });
  return value;
}
