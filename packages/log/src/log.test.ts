import { describe, expect, it } from "vitest";
import { createLogger, errorFields } from "./index";

describe("createLogger", () => {
  it("writes one JSON object per line at or above its level, bigints as strings", () => {
    const lines: string[] = [];
    const log = createLogger("info", (l) => lines.push(l));
    log.debug("hidden");
    log.info("anchored", { treeSize: 5n, txId: "abc" });
    log.error("failed");
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0] ?? "") as Record<string, unknown>;
    expect(first).toMatchObject({ level: "info", msg: "anchored", treeSize: "5", txId: "abc" });
    expect(typeof first.time).toBe("string");
    expect(JSON.parse(lines[1] ?? "")).toMatchObject({ level: "error", msg: "failed" });
  });
});

describe("errorFields", () => {
  it("keeps an error's class, code and a message cut to 300 characters", () => {
    const err = Object.assign(new RangeError("x".repeat(400)), { code: "BAD" });
    const fields = errorFields(err);
    expect(fields).toMatchObject({ errName: "RangeError", errCode: "BAD" });
    expect(String(fields.errMessage)).toHaveLength(300);
  });

  it("names the type of a thrown non-error and nothing else", () => {
    expect(errorFields("secret-token")).toEqual({ errName: "string" });
  });
});
