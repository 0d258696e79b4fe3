/**
 * Group commit: many envelopes stored by ONE SQL statement, so a group costs one
 * round trip, one commit and one WAL flush, and takes the global `AuditHead` lock
 * once. Per envelope the outcome is what {@link storeEnvelope} would give alone:
 * the same gap-free room sequence numbers (each room's counter is advanced once by
 * the number of its envelopes in the group), leaf indices in one contiguous run
 * (leaf order is still commit order), the leaf hash computed by PostgreSQL, and the
 * first ack again for a resend — by (sender device, clientMsgId) or by envelope
 * identity (sender device, session, index).
 *
 * Membership is checked inside the statement, against the committed `RoomMember`
 * rows: an envelope from a user who is not (or no longer) a member is refused and
 * allocates nothing, with no separate query and no window between check and write.
 */
import {
  auditLeafDataPrefix,
  auditLeafDataSuffix,
  CairnError,
  equalBytes,
  HASH_LENGTH,
  NONCE_LENGTH,
  SESSION_ID_LENGTH,
  SIGNATURE_LENGTH,
  type Envelope,
} from "@cairn/protocol";
import { createHash } from "node:crypto";
import type pg from "pg";

export interface BatchEnvelope {
  envelope: Envelope;
  clientMsgId: string;
  senderUserId: string;
}

export interface StoredInBatch {
  id: bigint;
  roomSeq: number;
  leafIndex: number;
  serverTime: Date;
  /** False when this envelope was stored before: a resend. */
  created: boolean;
}

/** One envelope's outcome: stored (or found stored before), or refused with a client-facing error. */
export type BatchOutcome = { ok: true; stored: StoredInBatch } | { ok: false; error: CairnError };

/** Most envelopes one statement takes (bounded parameter arrays, bounded lock time). */
export const MAX_BATCH = 512;

/**
 * The statement. Inputs are parallel arrays and one packed bytea ({@link pack}); `ord`
 * is each envelope's position.
 * Room rows are locked in id order before the head, so concurrent groups (several
 * relay processes) cannot deadlock on rooms, and whoever holds the head has
 * already locked every room it needs.
 */
const STORE_BATCH = `
WITH input AS (
  SELECT t.room_id, t.user_id, t.device_id, t.client_msg_id, t.idx, t.ord,
         substring($5::bytea FROM t.at + 1 FOR 16) AS session_id,
         substring($5::bytea FROM t.at + 17 FOR 32) AS prev_hash,
         substring($5::bytea FROM t.at + 49 FOR 24) AS nonce,
         substring($5::bytea FROM t.at + 73 FOR 64) AS signature,
         substring($5::bytea FROM t.at + 137 FOR t.c_len) AS ciphertext,
         substring($5::bytea FROM t.at + 137 + t.c_len FOR t.p_len) AS prefix
  FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $6::int8[], $7::int4[], $8::int4[], $9::int4[])
    WITH ORDINALITY AS t(room_id, user_id, device_id, client_msg_id, idx, at, c_len, p_len, ord)
), old AS (
  SELECT i.ord, e.id, e."roomId" = i.room_id AS same_room, e."clientMsgId" = i.client_msg_id AS same_id,
         e.ciphertext = i.ciphertext AND e.signature = i.signature AND e.nonce = i.nonce AS same_bytes,
         e."roomSeq", e."leafIndex", e."serverTime"
  -- Two lookups, one per unique index: an OR in one join condition scans the whole table.
  FROM input i CROSS JOIN LATERAL (
    SELECT * FROM "Envelope" x WHERE x."senderDeviceId" = i.device_id AND x."clientMsgId" = i.client_msg_id
    UNION ALL
    SELECT * FROM "Envelope" x WHERE x."senderDeviceId" = i.device_id AND x."sessionId" = i.session_id AND x."index" = i.idx
  ) e
), member AS (
  SELECT i.* FROM input i
  WHERE NOT EXISTS (SELECT 1 FROM old WHERE old.ord = i.ord)
    AND EXISTS (SELECT 1 FROM "RoomMember" m WHERE m."roomId" = i.room_id AND m."userId" = i.user_id)
), counts AS (
  SELECT room_id, count(*)::int AS n FROM member GROUP BY room_id
), locked AS (
  SELECT r.id FROM "Room" r WHERE r.id IN (SELECT room_id FROM counts) ORDER BY r.id FOR UPDATE
), room AS (
  UPDATE "Room" r SET "lastSeq" = r."lastSeq" + c.n FROM counts c, locked l
  WHERE r.id = c.room_id AND l.id = c.room_id RETURNING r.id, r."lastSeq" - c.n AS base
), fresh AS (
  SELECT m.*, room.base + row_number() OVER (PARTITION BY m.room_id ORDER BY m.ord) AS seq,
         row_number() OVER (ORDER BY m.ord) - 1 AS k
  FROM member m JOIN room ON room.id = m.room_id
), head AS (
  UPDATE "AuditHead" SET "nextLeaf" = "nextLeaf" + (SELECT count(*) FROM fresh)
  WHERE id = 1 AND EXISTS (SELECT 1 FROM fresh) RETURNING "nextLeaf" - (SELECT count(*) FROM fresh) AS base
), t AS (
  SELECT floor(extract(epoch FROM statement_timestamp()) * 1000)::int8 AS ms
), hashed AS (
  SELECT f.*, head.base + f.k AS leaf, to_timestamp(0) + t.ms * interval '1 millisecond' AS at,
         sha256(decode('00', 'hex') || f.prefix || decode('00000008', 'hex') || int8send(f.seq::int8)
                || decode('00000008', 'hex') || int8send(t.ms)) AS hash
  FROM fresh f, head, t
), env AS (
  INSERT INTO "Envelope" ("roomId", "roomSeq", "senderUserId", "senderDeviceId", "clientMsgId",
    "sessionId", "index", "prevHash", "nonce", "ciphertext", "signature", "serverTime", "leafIndex")
  SELECT room_id, seq, user_id, device_id, client_msg_id, session_id, idx, prev_hash, nonce, ciphertext,
         signature, at, leaf FROM hashed
  RETURNING id, "leafIndex"
), audit AS (
  INSERT INTO "AuditLeaf" ("leafIndex", "leafHash", "kind") SELECT leaf, hash, 'message' FROM hashed
)
SELECT 'new' AS kind, h.ord, env.id, h.seq::int AS "roomSeq", h.leaf AS "leafIndex", h.at AS "serverTime",
       h.hash, NULL::bool AS same_room, NULL::bool AS same_id, NULL::bool AS same_bytes, NULL::bool AS room_exists
FROM hashed h JOIN env ON env."leafIndex" = h.leaf
UNION ALL
SELECT 'old', ord, id, "roomSeq", "leafIndex", "serverTime", NULL, same_room, same_id, same_bytes, NULL FROM old
UNION ALL
SELECT 'refused', i.ord, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       EXISTS (SELECT 1 FROM "Room" r WHERE r.id = i.room_id)
FROM input i WHERE NOT EXISTS (SELECT 1 FROM old WHERE old.ord = i.ord)
  AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.ord = i.ord)`;

interface Row {
  kind: "new" | "old" | "refused";
  ord: string;
  id: string | null;
  roomSeq: number | null;
  leafIndex: string | null;
  serverTime: Date | null;
  hash: Buffer | null;
  same_room: boolean | null;
  same_id: boolean | null;
  same_bytes: boolean | null;
  room_exists: boolean | null;
}

/** PostgreSQL errors after which the same group, run again, can succeed. */
const RETRY_ON = new Set([
  "23505", // unique_violation: another process stored one of these first; the rerun finds it
  "40P01", // deadlock_detected
  "40001", // serialization_failure
]);
const ATTEMPTS = 3;

/** Fixed-length fields in the order {@link pack} lays them out, then the ciphertext and the leaf prefix. */
const FIXED = [
  ["sessionId", SESSION_ID_LENGTH],
  ["prevHash", HASH_LENGTH],
  ["nonce", NONCE_LENGTH],
  ["signature", SIGNATURE_LENGTH],
] as const;
/** 136: STORE_BATCH's ciphertext starts at `at + 137` (substring counts from 1). */
const FIXED_BYTES = FIXED.reduce((n, [, length]) => n + length, 0);

/**
 * Every envelope's bytes in ONE buffer, which node-postgres sends as a binary
 * parameter (a bytea[] goes as text, hex-escaped, and both sides pay to encode and
 * parse it): per envelope sessionId (16), prevHash (32), nonce (24), signature (64),
 * ciphertext, leaf prefix — the offsets STORE_BATCH's `substring`s use — starting at `at[i]`.
 */
function pack(items: readonly BatchEnvelope[], prefixes: Uint8Array[]): { bytes: Buffer; at: number[] } {
  let size = 0;
  for (const [i, it] of items.entries()) {
    for (const [field, length] of FIXED) {
      if (it.envelope[field].length !== length) throw new RangeError(`envelope ${i}: ${field} must be ${length} bytes`);
    }
    size += FIXED_BYTES + it.envelope.ciphertext.length + (prefixes[i]?.length ?? 0);
  }
  const bytes = Buffer.allocUnsafe(size);
  const at: number[] = [];
  let o = 0;
  for (const [i, it] of items.entries()) {
    at.push(o);
    for (const part of [...FIXED.map(([field]) => it.envelope[field]), it.envelope.ciphertext, prefixes[i] ?? new Uint8Array()]) {
      bytes.set(part, o);
      o += part.length;
    }
  }
  return { bytes, at };
}

function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Stores `items` (at most {@link MAX_BATCH}, with no two sharing a clientMsgId or an
 * envelope identity — the caller merges those) in one statement and returns one
 * outcome per item, in order. The database's leaf hash of every new envelope is
 * checked against the protocol's encoding; a disagreement fails the whole group.
 * @throws the database's error when it cannot be reached or keeps failing
 */
export async function storeEnvelopeBatch(pool: pg.Pool, items: readonly BatchEnvelope[]): Promise<BatchOutcome[]> {
  if (items.length === 0) return [];
  if (items.length > MAX_BATCH) throw new RangeError(`at most ${MAX_BATCH} envelopes per batch`);
  const prefixes = items.map((it) => auditLeafDataPrefix(it.envelope));
  const packed = pack(items, prefixes);
  const params = [
    items.map((it) => it.envelope.roomId),
    items.map((it) => it.senderUserId),
    items.map((it) => it.envelope.senderDeviceId),
    items.map((it) => it.clientMsgId),
    packed.bytes,
    items.map((it) => it.envelope.index),
    packed.at,
    items.map((it) => it.envelope.ciphertext.length),
    prefixes.map((p) => p.length),
  ];
  for (let attempt = 1; ; attempt++) {
    try {
      const { rows } = await pool.query<Row>({ name: "cairn_store_batch", text: STORE_BATCH, values: params });
      return outcomes(items, prefixes, rows);
    } catch (err) {
      const state = sqlState(err);
      if (attempt < ATTEMPTS && state !== undefined && RETRY_ON.has(state)) continue;
      throw err;
    }
  }
}

function outcomes(items: readonly BatchEnvelope[], prefixes: Uint8Array[], rows: Row[]): BatchOutcome[] {
  const out = new Array<BatchOutcome | undefined>(items.length);
  for (const r of rows) {
    const i = Number(r.ord) - 1;
    if (out[i] !== undefined) continue; // an envelope matching two stored ones: the first decides
    out[i] = outcome(r, prefixes[i] ?? new Uint8Array());
  }
  return out.map((o) => o ?? { ok: false, error: new CairnError("INTERNAL", "The database returned no outcome.") });
}

function outcome(r: Row, prefix: Uint8Array): BatchOutcome {
  if (r.kind === "refused") {
    return r.room_exists
      ? { ok: false, error: new CairnError("NOT_A_MEMBER", "You are not a member of this room.") }
      : { ok: false, error: new CairnError("ROOM_NOT_FOUND", "No such room.") };
  }
  const stored: StoredInBatch = {
    id: BigInt(r.id ?? 0),
    roomSeq: r.roomSeq ?? 0,
    leafIndex: Number(r.leafIndex),
    serverTime: r.serverTime ?? new Date(0),
    created: r.kind === "new",
  };
  if (r.kind === "new") {
    const expected = leafHashOf(prefix, stored.roomSeq, stored.serverTime.getTime());
    if (!r.hash || !equalBytes(expected, r.hash)) {
      throw new CairnError("INTERNAL", "The database's leaf hash disagrees with the protocol's.");
    }
    return { ok: true, stored };
  }
  if (!r.same_room) return { ok: false, error: new CairnError("CONFLICT", "clientMsgId already used for another room") };
  // Same clientMsgId: a resend after a reconnect. Same envelope identity under another
  // clientMsgId: the same message only if it is byte for byte the same envelope.
  if (r.same_id || r.same_bytes) return { ok: true, stored };
  return { ok: false, error: new CairnError("CONFLICT", "This session index was already used for another envelope.") };
}

const LEAF_TAG = Buffer.from([0]);

/** RFC 9162 leaf hash SHA-256(0x00 || prefix || suffix), the suffix encoded by the protocol. */
function leafHashOf(prefix: Uint8Array, roomSeq: number, serverTimeMs: number): Uint8Array {
  return createHash("sha256").update(LEAF_TAG).update(prefix).update(auditLeafDataSuffix(roomSeq, serverTimeMs)).digest();
}
