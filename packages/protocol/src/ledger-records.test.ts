import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { toBase64Url } from "./bytes";
import {
  LEDGER_OUTBOX_PAYLOADS,
  LEDGER_VIEW_PATHS,
  LEDGER_VIEW_RESPONSES,
  LedgerAppenderGrant,
  LedgerBatch,
  LedgerBatchRecord,
  LedgerCheckpoint,
  LedgerDeviceRecord,
  LedgerKeyRecord,
  LedgerLeaf,
  LedgerOrgPolicyRecord,
  LedgerRoomPolicyRecord,
  LedgerWhoAmI,
  RegisterDevicePayload,
  RegisterIdentityPayload,
  RevokeDevicePayload,
  splitBatchRecord,
} from "./ledger-records";

const b64 = (n: number, fill = 1) => toBase64Url(new Uint8Array(n).fill(fill));
const HEX = "ab".repeat(32);
const TX = "c".repeat(64);
const T = "2026-01-01T00:00:02.000Z";
const actor = { mspId: "Org1MSP", idHash: "0f".repeat(32) };

const activeDevice = {
  deviceId: b64(16),
  signingPublicKey: b64(32, 2),
  agreementPublicKey: b64(32, 3),
  signature: b64(64, 4),
  registeredTxId: TX,
  registeredAt: T,
  revokedAtMs: null,
  revokedTxId: null,
  revokedAt: null,
  revocationSignature: null,
};
const revokedDevice = {
  ...activeDevice,
  deviceId: "laptop-2",
  revokedAtMs: 1_767_225_600_000,
  revokedTxId: "fabric-tx-7",
  revokedAt: T,
  revocationSignature: b64(64, 5),
};
/** A device registered before the chain kept revocation times and signatures. */
const { revokedAt: _a, revocationSignature: _s, ...firstCutDevice } = activeDevice;
const keyRecord = {
  userRef: "12".repeat(32),
  identityPublicKey: b64(32, 6),
  registeredTxId: TX,
  registeredAt: T,
  devices: [activeDevice, revokedDevice, firstCutDevice],
  identityHistory: [
    {
      identityPublicKey: b64(32, 7),
      registeredTxId: "tx0001",
      registeredAt: "2025-12-31T23:59:59.000Z",
      replacedTxId: TX,
      replacedAt: T,
      reason: "lost laptop",
      replacedBy: actor,
    },
  ],
};
const checkpoint = { treeSize: 5, rootHash: HEX, txId: TX, time: T };
const leaf = { index: 4, leafHash: "cd".repeat(32), checkpoint };
const batchRecord = { startIndex: 3, treeSize: 5, leafHashes: "01".repeat(32) + "02".repeat(32), checkpoint };
const batch = { startIndex: 3, treeSize: 5, leafHashes: ["01".repeat(32), "02".repeat(32)], checkpoint };
const orgPolicyRecord = {
  scope: "org",
  version: 1,
  policy: { retentionSeconds: 86_400, maxDevicesPerUser: 5, forwardingAllowed: false },
  txId: TX,
  time: T,
  author: actor,
};
const roomPolicyRecord = {
  scope: `room:${"34".repeat(32)}`,
  version: 3,
  policy: { retentionSeconds: null, forwardingAllowed: true, complianceJournalKey: b64(32, 8) },
  txId: TX,
  time: T,
  author: actor,
};
const USER = "11111111-1111-4111-8111-111111111111";
const registerIdentity = { userId: USER, identityPublicKey: b64(32) };
const registerDevice = {
  userId: USER,
  deviceId: b64(16),
  signingPublicKey: b64(32),
  agreementPublicKey: b64(32, 2),
  signature: b64(64),
};
const revokeDevice = { userId: USER, deviceId: b64(16), revokedAtMs: 1_767_225_600_000, signature: b64(64) };

/** Each case: a schema, a valid value, and malformed values of one field each. */
/** Each malformed value: [field, value] or, where a rule spans fields, [field, value, field the refusal names]. */
type Malformed = [string, unknown] | [string, unknown, string];
const cases: [string, z.ZodType, unknown, Malformed[]][] = [
  [
    "device record",
    LedgerDeviceRecord,
    revokedDevice,
    [
      ["deviceId", ""],
      ["deviceId", "not base64url!"],
      ["deviceId", "A".repeat(65)],
      ["signingPublicKey", b64(31)],
      ["signingPublicKey", `${b64(32)}=`],
      ["agreementPublicKey", b64(33)],
      ["agreementPublicKey", null],
      ["signature", b64(63)],
      ["registeredTxId", ""],
      ["registeredTxId", "has space"],
      ["registeredTxId", "x".repeat(129)],
      ["registeredAt", "yesterday"],
      ["registeredAt", "2026-01-01T00:00:02.000+01:00"],
      ["revokedAtMs", -1],
      ["revokedAtMs", 1.5],
      ["revokedAtMs", 2 ** 53],
      ["revokedAtMs", "5"],
      ["revokedTxId", 7],
      ["revokedAt", "soon"],
      ["revocationSignature", b64(32)],
    ],
  ],
  [
    "key record",
    LedgerKeyRecord,
    keyRecord,
    [
      ["userRef", "12".repeat(31)],
      ["userRef", "AB".repeat(32)],
      ["identityPublicKey", b64(16)],
      ["registeredTxId", null],
      ["registeredAt", T.slice(0, 10)],
      ["devices", {}],
      ["devices", [{ ...activeDevice, signature: "" }]],
      ["identityHistory", [{ ...keyRecord.identityHistory[0], reason: "" }]],
      ["identityHistory", [{ ...keyRecord.identityHistory[0], replacedBy: { mspId: "Org 1", idHash: actor.idHash } }]],
      ["identityHistory", [{ ...keyRecord.identityHistory[0], replacedBy: { mspId: "Org1MSP", idHash: "ab" } }]],
    ],
  ],
  [
    "checkpoint",
    LedgerCheckpoint,
    checkpoint,
    [
      ["treeSize", 0],
      ["treeSize", "5"],
      ["rootHash", "AB".repeat(32)],
      ["rootHash", "ab"],
      ["txId", ""],
      ["time", "yesterday"],
    ],
  ],
  [
    "leaf",
    LedgerLeaf,
    leaf,
    [
      ["index", -1],
      ["index", 5],
      ["leafHash", "cd".repeat(33)],
      ["checkpoint", { ...checkpoint, rootHash: "" }],
    ],
  ],
  [
    "batch record",
    LedgerBatchRecord,
    batchRecord,
    [
      ["startIndex", -1],
      ["treeSize", 6, "leafHashes"],
      ["leafHashes", ""],
      ["leafHashes", "01".repeat(32) + "0"],
      ["leafHashes", "0A".repeat(64)],
      ["checkpoint", { ...checkpoint, treeSize: 4 }],
    ],
  ],
  [
    "batch",
    LedgerBatch,
    batch,
    [
      ["startIndex", 4, "leafHashes"],
      ["leafHashes", []],
      ["leafHashes", ["01".repeat(32), "02"]],
      ["checkpoint", { ...checkpoint, treeSize: 6 }],
    ],
  ],
  [
    "org policy record",
    LedgerOrgPolicyRecord,
    orgPolicyRecord,
    [
      ["scope", "room"],
      ["scope", "everything"],
      ["version", 0],
      ["policy", { ...orgPolicyRecord.policy, retentionSeconds: 59 }],
      ["policy", { ...orgPolicyRecord.policy, retentionSeconds: 100 * 366 * 24 * 3600 + 1 }],
      ["policy", { ...orgPolicyRecord.policy, maxDevicesPerUser: 0 }],
      ["policy", { ...orgPolicyRecord.policy, maxDevicesPerUser: 1001 }],
      ["policy", { ...orgPolicyRecord.policy, forwardingAllowed: "no" }],
      ["txId", ""],
      ["time", ""],
      ["author", { mspId: "Org1MSP" }],
    ],
  ],
  [
    "room policy record",
    LedgerRoomPolicyRecord,
    roomPolicyRecord,
    [
      ["scope", `room:${"34".repeat(31)}`],
      ["policy", { ...roomPolicyRecord.policy, complianceJournalKey: b64(31) }],
      ["policy", { ...roomPolicyRecord.policy, retentionSeconds: 1.5 }],
      ["policy", { retentionSeconds: null, forwardingAllowed: true }],
    ],
  ],
  [
    "appender grant",
    LedgerAppenderGrant,
    { mspId: "Org2MSP", idHash: "9a".repeat(32), grantedBy: actor, txId: TX, time: T },
    [
      ["mspId", ""],
      ["idHash", "9A".repeat(32)],
      ["grantedBy", null],
    ],
  ],
  [
    "who am I",
    LedgerWhoAmI,
    { mspId: "Org1MSP", idHash: actor.idHash, admin: true, appender: false },
    [
      ["admin", "yes"],
      ["appender", 1],
    ],
  ],
  [
    "registerIdentity payload",
    RegisterIdentityPayload,
    registerIdentity,
    [
      ["userId", "not-a-uuid"],
      ["identityPublicKey", b64(31)],
    ],
  ],
  [
    "registerDevice payload",
    RegisterDevicePayload,
    registerDevice,
    [
      ["userId", 1],
      ["deviceId", "not base64url!"],
      ["signingPublicKey", ""],
      ["agreementPublicKey", b64(64)],
      ["signature", b64(32)],
    ],
  ],
  [
    "revokeDevice payload",
    RevokeDevicePayload,
    revokeDevice,
    [
      ["userId", "x"],
      ["deviceId", ""],
      ["revokedAtMs", -5],
      ["revokedAtMs", null],
      ["signature", ""],
    ],
  ],
];

describe("ledger records", () => {
  for (const [name, schema, valid, malformed] of cases) {
    it(`a valid ${name} parses unchanged`, () => {
      expect(schema.parse(valid)).toEqual(valid);
    });

    it(`a ${name} with one malformed field is refused, naming the field`, () => {
      for (const [field, value, named = field] of malformed) {
        const result = schema.safeParse({ ...(valid as object), [field]: value });
        expect(result.success, `${field}: ${JSON.stringify(value)}`).toBe(false);
        expect(result.error?.issues[0]?.path[0], `${field}: ${JSON.stringify(value)}`).toBe(named);
      }
    });

    it(`a ${name} without a required field is refused`, () => {
      const optional = new Set(["revokedAt", "revocationSignature", "identityHistory"]);
      for (const field of Object.keys(valid as object).filter((k) => !optional.has(k))) {
        const { [field]: _dropped, ...rest } = valid as Record<string, unknown>;
        expect(schema.safeParse(rest).success, field).toBe(false);
      }
    });
  }

  it("keeps records written before revocation times were kept, without adding the fields", () => {
    const parsed = LedgerKeyRecord.parse({ ...keyRecord, devices: [firstCutDevice] });
    expect(Object.keys(parsed.devices[0] ?? {})).not.toContain("revokedAt");
    expect(Object.keys(parsed)).toContain("identityHistory");
    const { identityHistory: _h, ...firstCut } = keyRecord;
    expect(Object.keys(LedgerKeyRecord.parse(firstCut))).not.toContain("identityHistory");
  });

  it("splits a stored batch into one hash per leaf", () => {
    expect(splitBatchRecord(LedgerBatchRecord.parse(batchRecord))).toEqual(batch);
  });

  it("names every relay view route and its answer", () => {
    expect(LEDGER_VIEW_PATHS.keys("a b")).toBe("/ledger/users/a%20b/keys");
    expect(LEDGER_VIEW_PATHS.latestCheckpoint()).toBe("/ledger/checkpoints/latest");
    expect(LEDGER_VIEW_PATHS.checkpoint(5)).toBe("/ledger/checkpoints/5");
    expect(LEDGER_VIEW_PATHS.leaf(4)).toBe("/ledger/leaves/4");
    expect(LEDGER_VIEW_PATHS.roomHead("ab", 7)).toBe("/ledger/rooms/ab/heads/7");
    expect(LEDGER_VIEW_PATHS.roomRef("r 1")).toBe("/ledger/room-refs/r%201");
    expect(Object.keys(LEDGER_VIEW_RESPONSES).sort()).toEqual(Object.keys(LEDGER_VIEW_PATHS).sort());
    expect(LEDGER_VIEW_RESPONSES.leaf.parse(leaf)).toEqual(leaf);
  });

  it("has a payload schema for each outbox kind", () => {
    expect(LEDGER_OUTBOX_PAYLOADS.registerIdentity.parse(registerIdentity)).toEqual(registerIdentity);
    expect(LEDGER_OUTBOX_PAYLOADS.registerDevice.parse(registerDevice)).toEqual(registerDevice);
    expect(LEDGER_OUTBOX_PAYLOADS.revokeDevice.parse(revokeDevice)).toEqual(revokeDevice);
  });

  const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map(toBase64Url);
  const hexHash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("hex"));
  const time = fc.date({ min: new Date(0), max: new Date("2200-01-01T00:00:00.000Z"), noInvalidDate: true }).map((d) => d.toISOString());
  const txId = fc.stringMatching(/^[\x21-\x7e]{1,128}$/);
  const device = fc.record({
    deviceId: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    signingPublicKey: bytes(32),
    agreementPublicKey: bytes(32),
    signature: bytes(64),
    registeredTxId: txId,
    registeredAt: time,
    revokedAtMs: fc.option(fc.nat({ max: Number.MAX_SAFE_INTEGER })),
    revokedTxId: fc.option(txId),
    revokedAt: fc.option(time),
    revocationSignature: fc.option(bytes(64)),
  });
  const record = fc.record({
    userRef: hexHash,
    identityPublicKey: bytes(32),
    registeredTxId: txId,
    registeredAt: time,
    devices: fc.array(device, { maxLength: 4 }),
  });

  it("parses every well-formed key record unchanged (fast-check)", () => {
    fc.assert(
      fc.property(record, (r) => {
        expect(LedgerKeyRecord.parse(r)).toEqual(r);
      }),
    );
  });

  it("refuses a key record whose identity key is any other length (fast-check)", () => {
    fc.assert(
      fc.property(record, fc.integer({ min: 0, max: 80 }).filter((n) => n !== 32), (r, n) => {
        expect(LedgerKeyRecord.safeParse({ ...r, identityPublicKey: toBase64Url(new Uint8Array(n)) }).success).toBe(false);
      }),
    );
  });

  it("refuses checkpoints whose root is not 64 lowercase hex characters (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80 }).filter((s) => !/^[0-9a-f]{64}$/.test(s)),
        (rootHash) => {
          expect(LedgerCheckpoint.safeParse({ ...checkpoint, rootHash }).success).toBe(false);
        },
      ),
    );
  });
});
