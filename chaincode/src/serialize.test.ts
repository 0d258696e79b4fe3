import { describe, expect, test } from "vitest";
import { ChaincodeError, parseChaincodeError } from "./errors";
import { canonicalJson, fromStateBytes, toStateBytes } from "./serialize";
import { subjectOUs } from "./access";

describe("canonicalJson", () => {
  test("sorts keys at every depth and drops undefined fields", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: "é" }], c: true }, u: undefined })).toBe(
      '{"a":{"c":true,"d":[3,{"y":"é","z":null}]},"b":1}',
    );
  });

  test("the same value in any key order gives the same bytes", () => {
    expect(toStateBytes({ x: 1, y: [1, 2] })).toEqual(toStateBytes({ y: [1, 2], x: 1 }));
    expect(fromStateBytes(toStateBytes({ y: 2, x: 1 }))).toEqual({ x: 1, y: 2 });
    expect(fromStateBytes(new Uint8Array(0))).toBeNull();
  });

  test("refuses what JSON cannot carry", () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
    expect(() => canonicalJson(10n)).toThrow(TypeError);
  });
});

describe("errors", () => {
  test("codes travel in the message and survive Fabric's wrapping", () => {
    const err = new ChaincodeError("OUT_OF_ORDER", "batch starts at 3");
    expect(err.message).toBe("CAIRN_E_OUT_OF_ORDER: batch starts at 3");
    expect(parseChaincodeError(`10 ABORTED: failed to endorse transaction, chaincode response 500, ${err.message}`)).toEqual({
      code: "OUT_OF_ORDER",
      detail: "batch starts at 3",
    });
    expect(parseChaincodeError("CAIRN_E_MADE_UP: x")).toBeNull();
    expect(parseChaincodeError("plain failure")).toBeNull();
  });
});

describe("subjectOUs", () => {
  test("reads the OUs of the subject only, not of the issuer", () => {
    expect(subjectOUs("x509::/C=US/OU=client/OU=org1/CN=User1::/C=US/OU=admin/CN=ca")).toEqual(["client", "org1"]);
    expect(subjectOUs("x509::/OU=a\\/b/CN=x::/CN=ca")).toEqual(["a/b"]);
    expect(subjectOUs("not-x509")).toEqual([]);
  });
});
