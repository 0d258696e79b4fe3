import "server-only";
/**
 * The web app's one Argon2id pool (argon2-pool.ts), sized by env.ts, and the hash a
 * log-in for an unknown username is checked against, so it costs what a real one does.
 */
import { env } from "../env";
import { createArgon2Pool, type Argon2Pool } from "./argon2-pool";

const holder = globalThis as typeof globalThis & { __cairnArgon2?: Argon2Pool };

export function authHashes(): Argon2Pool {
  if (!holder.__cairnArgon2) {
    const e = env();
    holder.__cairnArgon2 = createArgon2Pool({
      maxQueue: e.CAIRN_AUTH_QUEUE,
      ...(e.CAIRN_AUTH_WORKERS !== undefined ? { size: e.CAIRN_AUTH_WORKERS } : {}),
    });
  }
  return holder.__cairnArgon2;
}

/**
 * An Argon2id hash (interactive limits, as every account's) of a random secret that
 * was thrown away: no auth secret matches it, and checking one costs what a real
 * account's check costs.
 */
export const DUMMY_HASH = "$argon2id$v=19$m=65536,t=2,p=1$GbluRK+FNWoESnrHmE6C/A$yjtexbBRcVe8ksRDhziQIeu6UvmJ+FMEJnF1twkHam0";
