import "server-only";
/**
 * Salts for usernames nobody has: /api/auth/params answers an unknown username with a
 * salt that looks like a real one (16 bytes) and is the same on every ask, so the
 * answer does not tell whether the account exists.
 *
 * salt = HMAC-SHA256(key, "cairn/fake-salt/v1\0" || username)[0..16), where key is
 *  - HMAC-SHA256(CAIRN_SERVER_SECRET, "cairn/fake-salt-key/v1") when the web app has
 *    the server secret (`cairn start` and docker-compose pass it), else
 *  - SHA-256 over the oldest account's Argon2id hash string (server-only, random per
 *    install) — it changes only if that account is deleted; with no account yet,
 *    SHA-256 over DATABASE_URL (there is nothing to enumerate then).
 * Someone holding the key can tell fake salts from real ones; nobody else can.
 */
import { createHash, createHmac } from "node:crypto";
import { env } from "../env";
import { db } from "./db";

const SALT_BYTES = 16;
let installKey: Buffer | undefined;

async function key(): Promise<Buffer> {
  if (installKey) return installKey;
  const secret = env().CAIRN_SERVER_SECRET;
  if (secret) {
    installKey = createHmac("sha256", Buffer.from(secret, "hex")).update("cairn/fake-salt-key/v1").digest();
    return installKey;
  }
  const oldest = await db().user.findFirst({ orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { authHash: true } });
  const digest = (material: string) => createHash("sha256").update("cairn/fake-salt-key/v1\0").update(material).digest();
  if (!oldest) return digest(`db:${env().DATABASE_URL}`);
  installKey = digest(`user:${oldest.authHash}`);
  return installKey;
}

/** The stable fake salt of `username` (already normalised by the Username schema). */
export async function fakeSalt(username: string): Promise<Uint8Array> {
  const mac = createHmac("sha256", await key()).update("cairn/fake-salt/v1\0").update(username, "utf8").digest();
  return new Uint8Array(mac.subarray(0, SALT_BYTES));
}
