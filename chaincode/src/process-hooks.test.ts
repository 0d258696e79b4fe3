import { describe, expect, test } from "vitest";
import "./index";
import { detachFabricProcessHooks } from "./process-hooks";

const names = (event: "unhandledRejection" | "uncaughtException") =>
  event === "unhandledRejection"
    ? process.listeners("unhandledRejection").map((l) => l.name)
    : process.listeners("uncaughtException").map((l) => l.name);

describe("detachFabricProcessHooks", () => {
  test("removes the handlers fabric-contract-api installs on import, and only those", () => {
    expect(names("unhandledRejection")).toContain("loggerUnhandledRejectionFn");
    expect(names("uncaughtException")).toContain("bound _uncaughtException");
    const mine = () => undefined;
    process.on("unhandledRejection", mine);
    expect(detachFabricProcessHooks()).toBe(2);
    expect(names("unhandledRejection")).not.toContain("loggerUnhandledRejectionFn");
    expect(names("uncaughtException")).not.toContain("bound _uncaughtException");
    expect(process.listeners("unhandledRejection")).toContain(mine);
    process.removeListener("unhandledRejection", mine);
    expect(detachFabricProcessHooks()).toBe(0);
  });
});
