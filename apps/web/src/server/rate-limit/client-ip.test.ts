import { describe, expect, it } from "vitest";
import { addressKey, clientIp } from "./client-ip";

const req = (xff?: string) => new Request("http://x/", xff === undefined ? {} : { headers: { "x-forwarded-for": xff } });

describe("client address", () => {
  it("takes the entry as far from the right as there are trusted proxies (at least the last)", () => {
    expect(clientIp(req("203.0.113.7"), 0)).toBe("203.0.113.7");
    expect(clientIp(req("198.51.100.1, 203.0.113.7"), 0)).toBe("203.0.113.7");
    expect(clientIp(req("198.51.100.1, 203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientIp(req("198.51.100.1, 203.0.113.7"), 2)).toBe("198.51.100.1");
    expect(clientIp(req("203.0.113.7"), 2)).toBe("unknown");
    expect(clientIp(req(), 0)).toBe("unknown");
    expect(clientIp(req("not an address"), 0)).toBe("unknown");
  });

  it("keys IPv6 by its /64 and IPv4-mapped IPv6 by the IPv4 address", () => {
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2:ffff:1:2:3")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:0db8:0001:0002::")).toBe("2001:db8:1:2::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("[2001:db8::1]")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(addressKey("999.1.1.1")).toBeNull();
    expect(addressKey("1:2:3:4:5:6:7:8:9")).toBeNull();
    expect(addressKey("1::2::3")).toBeNull();
  });
});
