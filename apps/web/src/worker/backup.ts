/**
 * What the key backup holds (docs/protocol.md, key backup), before `sealBackup` encrypts it
 * under the recovery key. A new device needs three things to read a room's full
 * history and keep trusting the same people:
 *
 * - the identity key pair (to certify the new device key and sign revocations);
 * - every room session this account can read, **at the earliest index it ever knew**
 *   (the state as the share or the account's own rotation created it, before any
 *   message was read). Sessions ratchet forward and erase used keys, so the current
 *   inbound state could not re-read old messages; the starting state can re-derive
 *   every message key from there on. This is Megolm's backup trade-off: whoever holds
 *   the recovery key can read the account's history, and the backup gives up forward
 *   secrecy inside a session for exactly that purpose;
 * - the contacts' pinned identity keys and which of them were verified;
 * - per room, the head of the membership chain this account last verified, so that a
 *   reload or a new device still catches a server that later serves a chain without it.
 *
 * Decrypted plaintext is not backed up: the server keeps every envelope, so the
 * session starts are enough, and the backup stays small (about 300 bytes a session).
 */
import { z } from "zod";

export const BACKUP_FORMAT = "cairn/key-backup/v1";

/** One session's starting state: serializeInbound JSON, with its firstIndex for merging. */
export const BackupSession = z.strictObject({ firstIndex: z.number().int().min(0), state: z.string().max(4096) });
export type BackupSession = z.infer<typeof BackupSession>;

/**
 * A contact's identity key as pinned on first sight (TOFU), whether the user verified it,
 * and the ledger key the user chose to keep the pin against (contacts.ts).
 */
export const BackupContact = z.strictObject({
  identityPublicKey: z.string().max(64),
  verified: z.boolean(),
  ledgerOverride: z.string().max(64).optional(),
});
export type BackupContact = z.infer<typeof BackupContact>;

/** A membership chain head: the event's seq and its hash (base64url, 32 bytes). */
export const BackupMembershipHead = z.strictObject({ seq: z.number().int().min(0), hash: z.string().length(43) });
export type BackupMembershipHead = z.infer<typeof BackupMembershipHead>;

export const BackupContents = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  userId: z.string().max(64),
  identity: z.strictObject({ publicKey: z.string().max(64), secretKey: z.string().max(128) }),
  /** Keyed by `roomId|senderDeviceId|sessionId`. */
  sessions: z.record(z.string().max(256), BackupSession),
  /** Keyed by userId. */
  contacts: z.record(z.string().max(64), BackupContact),
  /** Keyed by roomId (absent from backups written before heads were kept). */
  membershipHeads: z.record(z.string().max(64), BackupMembershipHead).optional(),
});
export type BackupContents = z.infer<typeof BackupContents>;

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeBackup(contents: BackupContents): Uint8Array {
  return enc.encode(JSON.stringify(contents));
}

/** @throws Error when the bytes are not a backup of this format */
export function decodeBackup(bytes: Uint8Array): BackupContents {
  let json: unknown;
  try {
    json = JSON.parse(dec.decode(bytes));
  } catch {
    throw new Error("The key backup is not readable.");
  }
  const parsed = BackupContents.safeParse(json);
  if (!parsed.success) throw new Error("The key backup has an unknown format.");
  return parsed.data;
}

/**
 * Combines this device's backup contents with another device's upload: every session
 * either knows, at the earlier start; every contact either pinned (this device's pin
 * wins a disagreement: it is what this user accepted here); each room's later
 * membership head. Returns null when the two
 * belong to different identities (never merge those).
 */
export function mergeBackups(local: BackupContents, remote: BackupContents): BackupContents | null {
  if (local.userId !== remote.userId || local.identity.publicKey !== remote.identity.publicKey) return null;
  const sessions: Record<string, BackupSession> = { ...local.sessions };
  for (const [key, s] of Object.entries(remote.sessions)) {
    const mine = sessions[key];
    if (!mine || s.firstIndex < mine.firstIndex) sessions[key] = s;
  }
  const contacts: Record<string, BackupContact> = { ...remote.contacts, ...local.contacts };
  for (const [userId, c] of Object.entries(remote.contacts)) {
    const mine = local.contacts[userId];
    // A verification, or a pin kept against the ledger, made on another device counts here too, for the same key.
    if (!mine || mine.identityPublicKey !== c.identityPublicKey) continue;
    const ledgerOverride = mine.ledgerOverride ?? c.ledgerOverride;
    contacts[userId] = { ...mine, verified: mine.verified || c.verified, ...(ledgerOverride !== undefined ? { ledgerOverride } : {}) };
  }
  // The later head of each room: a chain that holds it holds the earlier one too.
  const membershipHeads: Record<string, BackupMembershipHead> = { ...remote.membershipHeads, ...local.membershipHeads };
  for (const [roomId, head] of Object.entries(remote.membershipHeads ?? {})) {
    const mine = local.membershipHeads?.[roomId];
    if (mine && head.seq > mine.seq) membershipHeads[roomId] = head;
  }
  return { ...local, sessions, contacts, membershipHeads };
}

/** Sessions `remote` has that `local` lacks or knows only from a later index. */
export function sessionsGained(local: BackupContents, remote: BackupContents): [string, BackupSession][] {
  return Object.entries(remote.sessions).filter(([key, s]) => {
    const mine = local.sessions[key];
    return !mine || s.firstIndex < mine.firstIndex;
  });
}
