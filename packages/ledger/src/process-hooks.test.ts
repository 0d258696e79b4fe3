import { describe, expect, test } from "vitest";
import * as ledger from "./index";

describe("@cairn/ledger in a Cairn process", () => {
  test("importing it leaves Node's crash semantics alone (fabric-contract-api's hooks are detached)", () => {
    expect(typeof ledger.createEmbeddedLedger).toBe("function");
    expect(process.listeners("unhandledRejection").map((l) => l.name)).not.toContain("loggerUnhandledRejectionFn");
    expect(process.listeners("uncaughtException").map((l) => l.name)).not.toContain("bound _uncaughtException");
  });
});
