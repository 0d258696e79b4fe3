import { describe, expect, it } from "vitest";
import { CairnError, httpStatusOf, toErrorBody } from "./errors";

describe("error bodies", () => {
  it("carry retryAfterMs (whole ms) on RATE_LIMITED only, and never an unknown error's message", () => {
    expect(httpStatusOf("RATE_LIMITED")).toBe(429);
    const limited = new CairnError("RATE_LIMITED", "Slow down.", { retryAfterMs: 1500.2 });
    expect(toErrorBody(limited)).toEqual({ error: { code: "RATE_LIMITED", message: "Slow down.", retryAfterMs: 1501 } });
    expect(toErrorBody(new CairnError("RATE_LIMITED", "Slow down."))).toEqual({
      error: { code: "RATE_LIMITED", message: "Slow down." },
    });
    expect(toErrorBody(new CairnError("NOT_FOUND", "Gone.", { retryAfterMs: 10 }))).toEqual({
      error: { code: "NOT_FOUND", message: "Gone." },
    });
    expect(toErrorBody(new Error("secret"))).toEqual({
      error: { code: "INTERNAL", message: "Something went wrong on the server." },
    });
    const cause = new Error("inner");
    expect(new CairnError("CONFLICT", "x", { cause }).cause).toBe(cause);
    expect("cause" in new CairnError("CONFLICT", "x")).toBe(false);
  });
});
