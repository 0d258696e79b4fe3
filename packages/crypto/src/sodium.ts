/**
 * The one libsodium instance (sumo build: Argon2id lives only there). Every module
 * reaches sodium through {@link sodium}, which refuses to run before {@link ready}.
 */
import lib from "libsodium-wrappers-sumo";

let loaded = false;
let loading: Promise<void> | undefined;

/** Loads libsodium's WebAssembly. Await once before any other call; later calls are free. */
export function ready(): Promise<void> {
  loading ??= lib.ready.then(() => {
    loaded = true;
  });
  return loading;
}

/**
 * The libsodium module, once loaded.
 * @throws Error when {@link ready} has not completed
 */
export function sodium(): typeof lib {
  if (!loaded) throw new Error("@cairn/crypto: await ready() before use");
  return lib;
}

/**
 * Cryptographically secure random bytes from the platform (WebCrypto, in browsers,
 * workers and Node 20). Much faster than sodium.randombytes_buf under WebAssembly
 * (ENVIRONMENT.md), which matters for one nonce per message.
 */
export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  if (length <= 65536) return globalThis.crypto.getRandomValues(out);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let i = 0; i < length; i += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
  }
  return out;
}
