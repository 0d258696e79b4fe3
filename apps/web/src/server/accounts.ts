import "server-only";
import { claimFirstAdmin, endUserSessions, enqueueLedgerTx } from "@cairn/db";
import { ready, verifyDeviceCertificate } from "@cairn/crypto";
import {
  CairnError,
  fromBase64Url,
  toBase64Url,
  type ChangePassphraseBody,
  type LoginBody,
  type SignupBody,
} from "@cairn/protocol";
import { DUMMY_HASH, authHashes } from "./auth-hash";
import { db } from "./db";
import { fakeSalt } from "./fake-salt";
import { newSession } from "./session";

/** The one answer to a failed log-in, whether or not the username exists. */
export const INVALID_CREDENTIALS_MESSAGE = "Wrong username or passphrase.";

/** The account fields every auth response carries. */
export interface AccountView {
  id: string;
  username: string;
  role: string;
  identityPublicKey: string;
}

function view(u: { id: string; username: string; role: string; identityPublicKey: Uint8Array }): AccountView {
  return { id: u.id, username: u.username, role: u.role, identityPublicKey: toBase64Url(u.identityPublicKey) };
}

/** base64url to bytes on a plain ArrayBuffer (what Prisma's Bytes columns take). */
function bytesOf(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(fromBase64Url(text));
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";
}

/**
 * The Argon2id salt of `username`; for a username nobody has, a stable fake one of the
 * same shape (fake-salt.ts), so the answer does not tell whether the account exists.
 */
export async function authParams(username: string): Promise<{ salt: string }> {
  const user = await db().user.findUnique({ where: { username }, select: { salt: true } });
  return { salt: toBase64Url(user ? user.salt : await fakeSalt(username)) };
}

/**
 * What the sign-up form asks before showing recovery words. Sign-up cannot help
 * telling that a name is taken, so this answer is rate-limited per IP (routes).
 * @throws CairnError USERNAME_TAKEN
 */
export async function checkUsernameFree(username: string): Promise<void> {
  const taken = await db().user.findUnique({ where: { username }, select: { id: true } });
  if (taken) throw new CairnError("USERNAME_TAKEN", "That username is taken.");
}

/**
 * Creates the user (admin when it is the installation's first account), its first
 * device and two ledger registrations (identity, device) and its session in one
 * transaction. The device certificate is checked here as the chaincode will.
 * @throws CairnError BAD_SIGNATURE, USERNAME_TAKEN
 */
export async function signup(
  body: SignupBody,
): Promise<{ account: AccountView; session: { token: string; expiresAt: Date } }> {
  await ready();
  const identityPublicKey = bytesOf(body.identityPublicKey);
  const device = {
    deviceId: body.device.deviceId,
    signingPublicKey: bytesOf(body.device.signingPublicKey),
    agreementPublicKey: bytesOf(body.device.agreementPublicKey),
    signature: bytesOf(body.device.signature),
  };
  if (!verifyDeviceCertificate(identityPublicKey, device)) {
    throw new CairnError("BAD_SIGNATURE", "The device certificate is not signed by the identity key.");
  }
  const taken = await db().user.findUnique({ where: { username: body.username }, select: { id: true } });
  if (taken) throw new CairnError("USERNAME_TAKEN", "That username is taken.");
  const authHash = await authHashes().hash(fromBase64Url(body.authSecret));
  try {
    const user = await db().$transaction(async (tx) => {
      const inserted = await tx.user.create({
        data: { username: body.username, salt: bytesOf(body.salt), authHash, identityPublicKey },
      });
      // The first account is admin from the moment it exists (same transaction).
      const created = (await claimFirstAdmin(tx, inserted.id)) ? { ...inserted, role: "admin" } : inserted;
      await tx.device.create({
        data: {
          id: device.deviceId,
          userId: created.id,
          name: body.device.name,
          signingPublicKey: device.signingPublicKey,
          agreementPublicKey: device.agreementPublicKey,
          signature: device.signature,
        },
      });
      await enqueueLedgerTx(tx, "registerIdentity", {
        userId: created.id,
        identityPublicKey: body.identityPublicKey,
      });
      await enqueueLedgerTx(tx, "registerDevice", {
        userId: created.id,
        deviceId: device.deviceId,
        signingPublicKey: body.device.signingPublicKey,
        agreementPublicKey: body.device.agreementPublicKey,
        signature: body.device.signature,
      });
      // Bound to the device created above: its revocation ends this session.
      const session = await newSession(tx, created.id, device.deviceId);
      return { created, session };
    });
    return { account: view(user.created), session: user.session };
  } catch (err) {
    if (isUniqueViolation(err)) throw new CairnError("USERNAME_TAKEN", "That username is taken.", { cause: err });
    throw err;
  }
}

/**
 * Checks the auth secret on the Argon2id pool. An unknown username is checked against
 * a dummy hash, so it takes as long and fails the same way as a wrong passphrase.
 * @throws CairnError INVALID_CREDENTIALS (one code and message for both), RATE_LIMITED when the pool is full
 */
export async function login(body: LoginBody): Promise<AccountView> {
  const user = await db().user.findUnique({ where: { username: body.username } });
  const secret = fromBase64Url(body.authSecret);
  const ok = await authHashes().verify(user ? user.authHash : DUMMY_HASH, secret);
  if (!user || !ok) throw new CairnError("INVALID_CREDENTIALS", INVALID_CREDENTIALS_MESSAGE);
  return view(user);
}

/** The account of a logged-in user. @throws CairnError UNAUTHENTICATED when the user is gone */
export async function account(userId: string): Promise<AccountView> {
  const user = await db().user.findUnique({ where: { id: userId } });
  if (!user) throw new CairnError("UNAUTHENTICATED", "Please log in.");
  return view(user);
}

/**
 * Passphrase change: checks `currentAuthSecret` with the same Argon2id check as log-in,
 * then replaces the salt and auth hash (only while the hash is still the one checked,
 * so of two changes at once only one lands) and, with `endOtherSessions`, deletes every
 * other session of the user, in one transaction. Session `sessionId` stays valid.
 * @throws CairnError INVALID_CREDENTIALS on a wrong current secret (nothing changes),
 *   CONFLICT when another change landed first, UNAUTHENTICATED when the user is gone,
 *   RATE_LIMITED when the Argon2id pool is full
 */
export async function changePassphrase(
  userId: string,
  sessionId: string,
  body: ChangePassphraseBody,
): Promise<{ endedSessions: number }> {
  const user = await db().user.findUnique({ where: { id: userId }, select: { authHash: true } });
  if (!user) throw new CairnError("UNAUTHENTICATED", "Please log in.");
  if (!(await authHashes().verify(user.authHash, fromBase64Url(body.currentAuthSecret)))) {
    throw new CairnError("INVALID_CREDENTIALS", "The current passphrase is wrong.");
  }
  const authHash = await authHashes().hash(fromBase64Url(body.newAuthSecret));
  return db().$transaction(async (tx) => {
    const changed = await tx.user.updateMany({
      where: { id: userId, authHash: user.authHash },
      data: { salt: bytesOf(body.newSalt), authHash },
    });
    if (changed.count !== 1) throw new CairnError("CONFLICT", "The passphrase was changed meanwhile. Log in again.");
    if (!body.endOtherSessions) return { endedSessions: 0 };
    return { endedSessions: await endUserSessions(tx, userId, sessionId) };
  });
}
