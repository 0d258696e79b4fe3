import { describe, expect, it } from "vitest";
import { relayUrlFor } from "./relay-url";

describe("relayUrlFor", () => {
  it("follows the page's loopback host name so the cookie reaches the relay", () => {
    expect(relayUrlFor("http://localhost:3001", "127.0.0.1:3000")).toBe("http://127.0.0.1:3001");
    expect(relayUrlFor("http://127.0.0.1:3001", "localhost:3000")).toBe("http://localhost:3001");
  });
  it("keeps a non-loopback relay as configured", () => {
    expect(relayUrlFor("https://relay.example.com", "localhost:3000")).toBe("https://relay.example.com");
    expect(relayUrlFor("http://localhost:3001", "chat.example.com")).toBe("http://localhost:3001");
    expect(relayUrlFor("http://localhost:3001/", null)).toBe("http://localhost:3001");
  });
  it("rejects a relative URL", () => {
    expect(() => relayUrlFor("/relay", "localhost")).toThrow(TypeError);
  });
});
