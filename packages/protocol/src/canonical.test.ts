/**
 * Frozen vectors for the canonical encoding and every record built on it. If one
 * of these changes, stored signatures and hashes stop verifying: add a new tag
 * version instead of editing a record.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CanonicalDecodeError, decodeRecord, encodeRecord, u32, u64, u8, utf8 } from "./canonical";
import { fromBase64Url, hex, toBase64Url, equalBytes, fromHex } from "./bytes";
import {
  auditLeafData,
  auditLeafDataPrefix,
  auditLeafDataSuffix,
  deviceCertificateBytes,
  envelopeBytes,
  sessionKeyBytes,
  sessionShareSigningBytes,
  type Envelope,
} from "./records";

const VECTORS = {
  record:
    "000000017400000002010200000000",
  deviceCertificate:
    "00000014636169726e2f6465766963652d636572742f763100000020010101010101010101010101010101010101010101010101010101010101010100000003646576000000200202020202020202020202020202020202020202020202020202020202020202000000200303030303030303030303030303030303030303030303030303030303030303",
  envelope:
    "00000011636169726e2f656e76656c6f70652f7631000000a300000018636169726e2f656e76656c6f70652d6865616465722f763100000001010000002430303030303030302d303030302d343030302d383030302d30303030303030303030303100000016414141414141414141414141414141414141414141410000001004040404040404040404040404040404000000040000000700000020050505050505050505050505050505050505050505050505050505050505050500000018060606060606060606060606060606060606060606060606000000030909090000004008080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808",
  auditLeaf:
    "00000013636169726e2f61756469742d6c6561662f76310000012300000011636169726e2f656e76656c6f70652f7631000000a300000018636169726e2f656e76656c6f70652d6865616465722f763100000001010000002430303030303030302d303030302d343030302d383030302d30303030303030303030303100000016414141414141414141414141414141414141414141410000001004040404040404040404040404040404000000040000000700000020050505050505050505050505050505050505050505050505050505050505050500000018060606060606060606060606060606060606060606060606000000030909090000004008080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080808000000080000000000000003000000080000019ab697e800",
  sessionKey:
    "00000014636169726e2f73657373696f6e2d6b65792f763100000010040404040404040404040404040404040000000400000002000000200707070707070707070707070707070707070707070707070707070707070707",
  sessionShare:
    "00000016636169726e2f73657373696f6e2d73686172652f76310000002430303030303030302d303030302d343030302d383030302d3030303030303030303030310000001004040404040404040404040404040404000000016100000001620000000101",
};

const k = (b: number) => new Uint8Array(32).fill(b);
const envelope: Envelope = {
  version: 1,
  roomId: "00000000-0000-4000-8000-000000000001",
  senderDeviceId: "AAAAAAAAAAAAAAAAAAAAAA",
  sessionId: new Uint8Array(16).fill(4),
  index: 7,
  prevHash: k(5),
  nonce: new Uint8Array(24).fill(6),
  ciphertext: new Uint8Array([9, 9, 9]),
  signature: new Uint8Array(64).fill(8),
};

describe("frozen vectors", () => {
  it("encodes a bare record", () => {
    expect(hex(encodeRecord("t", [new Uint8Array([1, 2]), new Uint8Array(0)]))).toBe(VECTORS.record);
  });
  it("encodes a device certificate", () => {
    const bytes = deviceCertificateBytes({ identityPublicKey: k(1), deviceId: "dev", signingPublicKey: k(2), agreementPublicKey: k(3) });
    expect(hex(bytes)).toBe(VECTORS.deviceCertificate);
  });
  it("encodes an envelope and its audit leaf data", () => {
    expect(hex(envelopeBytes(envelope))).toBe(VECTORS.envelope);
    expect(hex(auditLeafData({ envelope, roomSeq: 3, serverTimeMs: 1764000000000 }))).toBe(VECTORS.auditLeaf);
  });
  it("splits the audit leaf data into an envelope prefix and a server suffix", () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 31 }), fc.nat({ max: 2 ** 50 }), (seq, ms) => {
        const whole = auditLeafData({ envelope, roomSeq: seq, serverTimeMs: ms });
        const parts = new Uint8Array([...auditLeafDataPrefix(envelope), ...auditLeafDataSuffix(seq, ms)]);
        expect(hex(parts)).toBe(hex(whole));
      }),
    );
  });

  it("encodes a session key and a session share", () => {
    expect(hex(sessionKeyBytes({ sessionId: new Uint8Array(16).fill(4), index: 2, chainKey: k(7) }))).toBe(VECTORS.sessionKey);
    const share = sessionShareSigningBytes({
      roomId: envelope.roomId,
      sessionId: new Uint8Array(16).fill(4),
      senderDeviceId: "a",
      recipientDeviceId: "b",
      sealed: new Uint8Array([1]),
    });
    expect(hex(share)).toBe(VECTORS.sessionShare);
  });
});

const fieldsArb = fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 });

describe("encodeRecord / decodeRecord", () => {
  it("round-trips any tag and fields", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fieldsArb, (tag, fields) => {
        const decoded = decodeRecord(tag, encodeRecord(tag, fields), fields.length);
        expect(decoded.map(hex)).toEqual(fields.map(hex));
      }),
    );
  });

  it("is injective: different field lists never encode alike", () => {
    fc.assert(
      fc.property(fieldsArb, fieldsArb, (a, b) => {
        fc.pre(a.map(hex).join("|") !== b.map(hex).join("|") || a.length !== b.length);
        expect(equalBytes(encodeRecord("t", a), encodeRecord("t", b))).toBe(false);
      }),
    );
  });

  it("rejects truncation, trailing bytes and a foreign tag", () => {
    fc.assert(
      fc.property(fieldsArb, fc.nat(), (fields, cut) => {
        const bytes = encodeRecord("t", fields);
        const shorter = bytes.subarray(0, cut % bytes.length);
        expect(() => decodeRecord("t", shorter, fields.length)).toThrow(CanonicalDecodeError);
        expect(() => decodeRecord("t", new Uint8Array([...bytes, 0]), fields.length)).toThrow(CanonicalDecodeError);
        expect(() => decodeRecord("u", bytes, fields.length)).toThrow(CanonicalDecodeError);
      }),
    );
  });

  it("checks integer ranges and types at the door", () => {
    expect(hex(u8(255))).toBe("ff");
    expect(hex(u32(0x01020304))).toBe("01020304");
    expect(hex(u64(2 ** 53 - 1))).toBe("001fffffffffffff");
    expect(() => u8(256)).toThrow(RangeError);
    expect(() => u32(-1)).toThrow(RangeError);
    expect(() => u64(2 ** 53)).toThrow(RangeError);
    expect(() => u32(1.5)).toThrow(RangeError);
    expect(() => utf8(3 as unknown as string)).toThrow(TypeError);
    expect(() => encodeRecord("t", ["x" as unknown as Uint8Array])).toThrow(TypeError);
    expect(() => deviceCertificateBytes({ identityPublicKey: k(1).subarray(1), deviceId: "d", signingPublicKey: k(2), agreementPublicKey: k(3) })).toThrow(RangeError);
  });
});

describe("base64url and hex", () => {
  it("round-trips any bytes and rejects non-canonical text", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
        expect(fromHex(hex(bytes))).toEqual(bytes);
      }),
    );
    for (const bad of ["a", "ab=", "a+b/", "AB", "é"]) expect(() => fromBase64Url(bad), bad).toThrow(TypeError);
    expect(() => fromHex("abc")).toThrow(TypeError);
  });

  it("agrees with Node's own base64url both ways", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = Buffer.from(bytes).toString("base64url");
        expect(toBase64Url(bytes)).toBe(text);
        expect(fromBase64Url(text)).toEqual(bytes);
      }),
    );
  });

  it("accepts a text only when it is the one encoding of its bytes", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=é\u0100 ";
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }).map((cs) => cs.join("")), (text) => {
        let decoded: Uint8Array | undefined;
        try {
          decoded = fromBase64Url(text);
        } catch (err) {
          expect(err).toBeInstanceOf(TypeError);
        }
        if (decoded) expect(toBase64Url(decoded)).toBe(text);
      }),
      { numRuns: 2000 },
    );
    expect(() => fromBase64Url("AB")).toThrow(/non-canonical/);
    expect(() => fromBase64Url("ABD")).toThrow(/non-canonical/);
    expect(fromBase64Url("AA")).toEqual(new Uint8Array([0]));
  });
});
