/**
 * Message load for the anchor benchmark. `storeOne` is the relay's own path: storeEnvelope
 * (one PostgreSQL transaction: room sequence, leaf index, envelope row, audit leaf) with
 * the relay's leaf hash (leafHashOfMessage). `storeGroup` writes the same rows for many
 * messages in one transaction (group commit), because storeEnvelope alone tops out far
 * below 1,000 msg/s on this machine (see BENCHMARKS.md "## anchor"). Envelope bytes are
 * random (the relay never reads them).
 */
import { randomBytes } from "node:crypto";
import { leafHashOfMessage } from "@cairn/audit";
import { storeEnvelope, type PrismaClient, type StoredEnvelopeRef } from "@cairn/db";
import type { Envelope } from "@cairn/protocol";
import type pg from "pg";

export interface Fixture {
  prisma: PrismaClient;
  userId: string;
  roomIds: string[];
  next: number;
}

/** One user who is a member of `rooms` rooms (messages spread over them, as in a team). */
export async function createFixture(prisma: PrismaClient, rooms = 20, username = "bench"): Promise<Fixture> {
  const user = await prisma.user.create({
    data: { username, salt: new Uint8Array(16), authHash: "x", identityPublicKey: new Uint8Array(32) },
  });
  const roomIds: string[] = [];
  for (let i = 0; i < rooms; i++) {
    const room = await prisma.room.create({
      data: { name: `bench-${i}`, createdBy: user.id, members: { create: { userId: user.id } } },
    });
    roomIds.push(room.id);
  }
  return { prisma, userId: user.id, roomIds, next: 0 };
}

function makeEnvelope(fx: Fixture, n: number, roomId?: string): Envelope {
  return {
    version: 1,
    roomId: roomId ?? fx.roomIds[n % fx.roomIds.length] ?? "",
    senderDeviceId: "bench-device",
    sessionId: randomBytes(16),
    index: n,
    prevHash: randomBytes(32),
    nonce: randomBytes(24),
    ciphertext: randomBytes(256),
    signature: randomBytes(64),
  };
}

/** Stores one 256-byte-ciphertext envelope; resolves when the relay would ack it. */
export async function storeOne(fx: Fixture): Promise<StoredEnvelopeRef> {
  const n = fx.next++;
  const envelope = makeEnvelope(fx, n);
  return storeEnvelope(fx.prisma, {
    envelope,
    clientMsgId: `bench-${String(n).padStart(10, "0")}`,
    senderUserId: fx.userId,
  });
}

/**
 * Stores `count` envelopes of one room in ONE transaction with plain `pg` (Prisma costs
 * ~1 ms per row here): the rows storeEnvelope writes, room sequence and leaf indices
 * allocated under the same row locks (Room, then AuditHead), so leaf order is still
 * commit order. Resolves with their leaf indices once committed.
 */
export async function storeGroup(fx: Fixture, sql: pg.Client, count: number): Promise<number[]> {
  const roomId = fx.roomIds[fx.next % fx.roomIds.length] ?? "";
  const first = fx.next;
  fx.next += count;
  await sql.query("BEGIN");
  try {
    const room = await sql.query<{ seq: number }>(
      `UPDATE "Room" SET "lastSeq" = "lastSeq" + $1 WHERE id = $2::uuid RETURNING "lastSeq" AS seq`,
      [count, roomId],
    );
    const head = await sql.query<{ next: string }>(
      `UPDATE "AuditHead" SET "nextLeaf" = "nextLeaf" + $1 WHERE id = 1 RETURNING "nextLeaf" AS next`,
      [count],
    );
    const lastSeq = room.rows[0]?.seq;
    const next = head.rows[0]?.next;
    if (lastSeq === undefined || next === undefined) throw new Error("room or audit head missing");
    const firstLeaf = Number(next) - count;
    const serverTime = new Date();
    const cols = {
      roomSeq: [] as number[],
      clientMsgId: [] as string[],
      sessionId: [] as Buffer[],
      index: [] as number[],
      prevHash: [] as Buffer[],
      nonce: [] as Buffer[],
      ciphertext: [] as Buffer[],
      signature: [] as Buffer[],
      leafIndex: [] as string[],
      leafHash: [] as Buffer[],
    };
    for (let i = 0; i < count; i++) {
      const e = makeEnvelope(fx, first + i, roomId);
      const roomSeq = lastSeq - count + 1 + i;
      cols.roomSeq.push(roomSeq);
      cols.clientMsgId.push(`bench-${String(first + i).padStart(10, "0")}`);
      cols.sessionId.push(Buffer.from(e.sessionId));
      cols.index.push(e.index);
      cols.prevHash.push(Buffer.from(e.prevHash));
      cols.nonce.push(Buffer.from(e.nonce));
      cols.ciphertext.push(Buffer.from(e.ciphertext));
      cols.signature.push(Buffer.from(e.signature));
      cols.leafIndex.push(String(firstLeaf + i));
      cols.leafHash.push(Buffer.from(leafHashOfMessage({ envelope: e, roomSeq, serverTimeMs: serverTime.getTime() })));
    }
    await sql.query(
      `INSERT INTO "Envelope" ("roomId","roomSeq","senderUserId","senderDeviceId","clientMsgId","sessionId","index",
         "prevHash","nonce","ciphertext","signature","serverTime","leafIndex")
       SELECT $1::uuid, s, $2::uuid, 'bench-device', c, si, ix, ph, n, ct, sg, $3::timestamptz, li
       FROM unnest($4::int[], $5::text[], $6::bytea[], $7::int[], $8::bytea[], $9::bytea[], $10::bytea[], $11::bytea[], $12::bigint[])
         AS t(s, c, si, ix, ph, n, ct, sg, li)`,
      [roomId, fx.userId, serverTime, cols.roomSeq, cols.clientMsgId, cols.sessionId, cols.index, cols.prevHash,
        cols.nonce, cols.ciphertext, cols.signature, cols.leafIndex],
    );
    await sql.query(
      `INSERT INTO "AuditLeaf" ("leafIndex","leafHash","kind") SELECT li, lh, 'message' FROM unnest($1::bigint[], $2::bytea[]) AS t(li, lh)`,
      [cols.leafIndex, cols.leafHash],
    );
    await sql.query("COMMIT");
    return cols.leafIndex.map(Number);
  } catch (err) {
    await sql.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/** Stores `count` envelopes with `concurrency` in flight; returns the elapsed ms. */
export async function storeBacklog(fx: Fixture, count: number, concurrency: number): Promise<number> {
  const t0 = performance.now();
  let left = count;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left > 0) {
        left--;
        await storeOne(fx);
      }
    }),
  );
  return performance.now() - t0;
}

/** Wall-clock milliseconds comparable across threads (performance.timeOrigin differs per thread). */
export const clock = (): number => performance.timeOrigin + performance.now();

export interface Ack {
  leafIndex: number;
  /** Absolute time (ms, `clock()`) when the message's transaction committed (the relay's ack). */
  ackAt: number;
}

export interface SteadyResult {
  acks: Ack[];
  offered: number;
  elapsedMs: number;
  /** Most messages waiting to be stored at once (the generator falling behind). */
  maxInFlight: number;
  /** Stores that failed (e.g. Prisma's transaction wait timed out). */
  errors: number;
}

/**
 * Open loop through storeEnvelope: every 5 ms, starts as many stores as the schedule
 * (`rate` per second) says should have started by now, without waiting for earlier ones
 * (at most `maxInFlight`; beyond that the generator falls behind and says so).
 */
export async function steadyLoad(
  fx: Fixture,
  rate: number,
  seconds: number,
  onStored: (leafIndices: number[]) => void,
  inFlightCap = 64,
): Promise<SteadyResult> {
  const acks: Ack[] = [];
  const pending = new Set<Promise<void>>();
  let errors = 0;
  let offered = 0;
  let maxInFlight = 0;
  const t0 = performance.now();
  const total = Math.round(rate * seconds);
  while (offered < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000));
    for (; offered < due && pending.size < inFlightCap; offered++) {
      const p: Promise<void> = storeOne(fx).then(
        (ref) => {
          acks.push({ leafIndex: ref.leafIndex, ackAt: clock() });
          onStored([ref.leafIndex]);
          pending.delete(p);
        },
        () => {
          errors++;
          pending.delete(p);
        },
      );
      pending.add(p);
    }
    maxInFlight = Math.max(maxInFlight, pending.size);
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(pending);
  return { acks, offered, elapsedMs: performance.now() - t0, maxInFlight, errors };
}

/**
 * Open loop with group commit: messages arrive at `rate` per second; one writer at a
 * time commits everything that has arrived (storeGroup), so each message's ack is its
 * group's commit.
 */
export async function steadyGroupedLoad(
  fx: Fixture,
  sql: pg.Client,
  rate: number,
  seconds: number,
  onStored: (leafIndices: number[]) => void,
): Promise<SteadyResult & { groups: number; arrivalToAck: number[] }> {
  const acks: Ack[] = [];
  const arrivalToAck: number[] = [];
  const t0 = performance.now();
  const total = Math.round(rate * seconds);
  let offered = 0;
  let groups = 0;
  let maxInFlight = 0;
  while (offered < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000));
    const count = due - offered;
    if (count === 0) {
      await new Promise((r) => setTimeout(r, 2));
      continue;
    }
    maxInFlight = Math.max(maxInFlight, count);
    const firstArrival = offered;
    const leaves = await storeGroup(fx, sql, count);
    const now = performance.now();
    const at = clock();
    groups++;
    leaves.forEach((leafIndex, i) => {
      acks.push({ leafIndex, ackAt: at });
      arrivalToAck.push(now - (t0 + ((firstArrival + i + 1) * 1000) / rate));
    });
    offered = due;
    onStored(leaves);
  }
  return { acks, offered, elapsedMs: performance.now() - t0, maxInFlight, errors: 0, groups, arrivalToAck };
}
