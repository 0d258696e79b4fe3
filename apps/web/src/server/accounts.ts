import "server-only";
import { createSession, enqueueLedgerTx } from "@cairn/db";
import { hashAuthSecret, ready, verifyAuthSecret, verifyDeviceCertificate } from "@cairn/crypto";
import { CairnError, fromBase64Url, toBase64Url, type LoginBody, type SignupBody } from "@cairn/protocol";
import { db } from "./db";

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

/** The Argon2id salt of `username`. @throws CairnError USER_NOT_FOUND */
export async function authParams(username: string): Promise<{ salt: string }> {
  const user = await db().user.findUnique({ where: { username }, select: { salt: true } });
  if (!user) throw new CairnError("USER_NOT_FOUND", "No account with that username.");
  return { salt: toBase64Url(user.salt) };
}

/**
 * Creates the user, its first device and two ledger registrations (identity, device)
 * and its session in one transaction. The device certificate is checked here as the chaincode will.
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
  const authHash = hashAuthSecret(fromBase64Url(body.authSecret));
  try {
    const user = await db().$transaction(async (tx) => {
      const created = await tx.user.create({
        data: { username: body.username, salt: bytesOf(body.salt), authHash, identityPublicKey },
      });
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
      const session = await createSession(tx, created.id);
      return { created, session };
    });
    return { account: view(user.created), session: user.session };
  } catch (err) {
    if (isUniqueViolation(err)) throw new CairnError("USERNAME_TAKEN", "That username is taken.", { cause: err });
    throw err;
  }
}

/** Checks the auth secret. @throws CairnError USER_NOT_FOUND, INVALID_CREDENTIALS */
export async function login(body: LoginBody): Promise<AccountView> {
  await ready();
  const user = await db().user.findUnique({ where: { username: body.username } });
  if (!user) throw new CairnError("USER_NOT_FOUND", "No account with that username.");
  if (!verifyAuthSecret(user.authHash, fromBase64Url(body.authSecret))) {
    throw new CairnError("INVALID_CREDENTIALS", "Wrong passphrase.");
  }
  return view(user);
}

/** The account of a logged-in user. @throws CairnError UNAUTHENTICATED when the user is gone */
export async function account(userId: string): Promise<AccountView> {
  const user = await db().user.findUnique({ where: { id: userId } });
  if (!user) throw new CairnError("UNAUTHENTICATED", "Please log in.");
  return view(user);
}
