import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { relayOfSessionId, relaySessionId } from "./relay-session-id";

describe("relay session ids", () => {
  it("name the relay that issued them", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9-]{1,32}$/), fc.base64String(), (relay, random) => {
        expect(relayOfSessionId(relaySessionId(relay, random))).toBe(relay);
      }),
    );
  });
  it("an id without a relay name, or with a malformed one, names none", () => {
    expect(relayOfSessionId("AbCdEf0123456789")).toBeNull();
    expect(relayOfSessionId(".abc")).toBeNull();
    expect(relayOfSessionId("r/1.abc")).toBeNull();
    expect(relayOfSessionId(`${"r".repeat(33)}.abc`)).toBeNull();
  });
});
