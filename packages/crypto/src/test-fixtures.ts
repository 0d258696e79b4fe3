/** Shared set-up for this package's tests only (not exported from index.ts). */
import lib from "libsodium-wrappers-sumo";
import { fromHex } from "@cairn/protocol";
import { ready } from "./sodium";
import { generateDevice, generateIdentity, type DeviceKeys, type SigningKeyPair } from "./keys";
import { createOutboundSession, type InboundSession, type OutboundSession } from "./session";
import { openSessionShare, shareSession } from "./share";

export const ROOM = "11111111-2222-4333-8444-555555555555";
export const FIXED_DEVICE_ID = "AAECAwQFBgcICQoLDA0ODw";
export const FIXED_CHAIN_KEY_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
export const FIXED_SESSION_ID_HEX = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";

export async function loadSodium(): Promise<typeof lib> {
  await ready();
  return lib;
}

/** Deterministic Ed25519 pair from a repeated seed byte. */
export function seededSigning(seedByte: number): SigningKeyPair {
  const kp = lib.crypto_sign_seed_keypair(new Uint8Array(32).fill(seedByte));
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

export function fixedOutbound(): OutboundSession {
  return {
    roomId: ROOM,
    sessionId: fromHex(FIXED_SESSION_ID_HEX),
    chainKey: fromHex(FIXED_CHAIN_KEY_HEX),
    index: 0,
    createdAtMs: 0,
  };
}

export interface Pair {
  alice: DeviceKeys;
  bob: DeviceKeys;
  aliceIdentity: SigningKeyPair;
  outbound: OutboundSession;
  inbound: InboundSession;
}

/** Alice's device starts a session in ROOM and shares it with Bob's device. */
export function alicePair(): Pair {
  const alice = generateDevice();
  const bob = generateDevice();
  const outbound = createOutboundSession(ROOM, 1_000);
  const share = shareSession({
    session: outbound,
    senderDeviceId: alice.deviceId,
    senderSigningSecretKey: alice.signing.secretKey,
    recipientDeviceId: bob.deviceId,
    recipientAgreementPublicKey: bob.agreement.publicKey,
  });
  const inbound = openSessionShare({
    share,
    recipientDeviceId: bob.deviceId,
    recipientAgreement: bob.agreement,
    senderSigningPublicKey: alice.signing.publicKey,
  });
  return { alice, bob, aliceIdentity: generateIdentity(), outbound, inbound };
}

/** Flips bit `bit` (mod length*8) of a copy of `bytes`. */
export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  const at = bit % (out.length * 8);
  out[at >> 3] = (out[at >> 3] ?? 0) ^ (1 << (at & 7));
  return out;
}

/** Flips one bit of one character of an ASCII string, staying within 7-bit ASCII. */
export function flipStringBit(value: string, bit: number): string {
  const at = Math.floor(bit / 7) % value.length;
  const code = value.charCodeAt(at) ^ (1 << (bit % 7));
  return value.slice(0, at) + String.fromCharCode(code) + value.slice(at + 1);
}
