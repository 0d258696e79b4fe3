import { describe, expect, it } from "vitest";
import { formatDuration, formatTime, linearScale, niceTicks } from "./scale";

describe("chart scales", () => {
  it("maps a domain linearly onto a range, inverted ranges included", () => {
    const y = linearScale([0, 200], [100, 0]);
    expect([y(0), y(50), y(200)]).toEqual([100, 75, 0]);
    expect(linearScale([5, 5], [0, 10])(5)).toBe(5);
  });

  it("chooses round ticks inside the bounds", () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0, 1234, 4)).toEqual([0, 500, 1000]);
    expect(niceTicks(0.3, 0.95, 6)).toEqual([0.4, 0.6, 0.8]);
    expect(niceTicks(7, 7)).toEqual([7]);
    expect(() => niceTicks(0, Infinity)).toThrow(RangeError);
    expect(() => niceTicks(0, 1, 0)).toThrow(RangeError);
  });

  it("labels durations and times", () => {
    expect(["850 ms", "1.2 s", "42 s", "3 min 20 s", "2 h 5 min"]).toEqual([850, 1200, 42_000, 200_000, 7_500_000].map(formatDuration));
    expect(formatTime(Date.UTC(2026, 0, 2, 3, 4, 5), 60_000)).toBe("03:04:05");
    expect(formatTime(Date.UTC(2026, 0, 2, 3, 4, 5), 3 * 86_400_000)).toBe("2026-01-02 03:04");
  });
});
