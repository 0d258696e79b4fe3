/**
 * The Argon2id pool on real worker threads with the real libsodium: its hashes and
 * @cairn/crypto's are interchangeable, its queue is bounded, and the event loop keeps
 * running while it works.
 */
import { hashAuthSecret, ready, verifyAuthSecret } from "@cairn/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createArgon2Pool, type Argon2Pool } from "./argon2-pool";

const secret = (byte: number) => new Uint8Array(32).fill(byte);
let pool: Argon2Pool;

beforeAll(async () => {
  await ready();
  pool = createArgon2Pool({ size: 1, maxQueue: 1 });
});
afterAll(() => pool.close());

describe("Argon2id pool", () => {
  it("hashes and verifies as @cairn/crypto does, both ways", async () => {
    const mine = await pool.hash(secret(1));
    expect(mine).toMatch(/^\$argon2id\$v=19\$m=65536,t=2,p=1\$/);
    expect(verifyAuthSecret(mine, secret(1))).toBe(true);
    const theirs = hashAuthSecret(secret(2));
    expect(await pool.verify(theirs, secret(2))).toBe(true);
    expect(await pool.verify(theirs, secret(3))).toBe(false);
    expect(await pool.verify("$argon2id$garbage", secret(2))).toBe(false);
    expect(await pool.verify("$2b$10$notargon", secret(2))).toBe(false);
  });

  it("leaves the caller's secret alone and refuses secrets that are not 32 bytes", async () => {
    const s = secret(4);
    await pool.hash(s);
    expect(s).toEqual(secret(4));
    await expect(pool.verify("$argon2id$x", new Uint8Array(31))).rejects.toThrow(RangeError);
  });

  it("refuses a job with RATE_LIMITED once the queue is full, and runs the others", async () => {
    const hash = hashAuthSecret(secret(5));
    const running = pool.verify(hash, secret(5)); // the one worker
    const waiting = pool.verify(hash, secret(6)); // the one queue slot
    expect(pool.queued).toBe(1);
    await expect(pool.verify(hash, secret(5))).rejects.toMatchObject({ code: "RATE_LIMITED", retryAfterMs: 1000 });
    expect(await running).toBe(true);
    expect(await waiting).toBe(false);
    expect(pool.queued).toBe(0);
  });

  it("keeps the event loop free: timers fire while a verification runs", async () => {
    const hash = hashAuthSecret(secret(7));
    let ticks = 0;
    let done = false;
    const tick = () => {
      if (done) return;
      ticks++;
      setTimeout(tick, 0);
    };
    const verified = pool.verify(hash, secret(7)).then((ok) => {
      done = true;
      return { ok, ticksBefore: ticks };
    });
    setTimeout(tick, 0);
    const { ok, ticksBefore } = await verified;
    expect(ok).toBe(true);
    // On the main thread Argon2id would finish before any timer could fire.
    expect(ticksBefore).toBeGreaterThan(0);
  });
});
