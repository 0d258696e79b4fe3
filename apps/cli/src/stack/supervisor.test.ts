/**
 * The supervisor with real child processes (`node -e` scripts that crash, exit or are
 * killed with SIGKILL): what the operator reads — restart lines, backoff growing and
 * starting over, giving up on a crash loop — and that stopping never restarts.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startChild, type Child } from "./processes";
import { backoffDelay, DEFAULT_RESTART_POLICY, supervise, type RestartPolicy } from "./supervisor";

const logDir = mkdtempSync(path.join(os.tmpdir(), "cairn-supervisor-"));

/** A `node -e` child that prints "up" and then runs `then`. */
function nodeChild(name: string, then: string): Child {
  return startChild({
    name,
    command: process.execPath,
    args: ["-e", `console.log("up"); ${then}`],
    cwd: logDir,
    env: process.env,
    logFile: path.join(logDir, `${name}.log`),
    echo: false,
  });
}

/** Ready once the child printed "up"; rejects if it exits first. */
function printedUp(child: Child): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.process.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (out.includes("up")) resolve();
    });
    void child.exited.then(() => reject(new Error(`${child.name} exited before it was up`)));
  });
}

/** The operator's view: each line said, with when it was said. */
function transcript() {
  const lines: { at: number; line: string }[] = [];
  return {
    say: (line: string) => lines.push({ at: performance.now(), line }),
    lines: () => lines.map((l) => l.line),
    at: (i: number) => lines[i]?.at ?? Number.NaN,
  };
}

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const alive = (pid: number | undefined) => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const FAST: Partial<RestartPolicy> = {
  initialDelayMs: 100,
  maxDelayMs: 800,
  resetAfterMs: 10_000,
  maxRestarts: 5,
  windowMs: 60_000,
};

describe("supervising a process of the stack", () => {
  it("restarts a process killed with SIGKILL, says so, and stop() ends it with no restart", async () => {
    const out = transcript();
    const s = supervise({
      name: "relay",
      spawn: () => nodeChild("relay", "setInterval(() => {}, 1000)"),
      ready: printedUp,
      say: out.say,
      policy: FAST,
    });
    await s.up;
    const first = s.current().process.pid;
    process.kill(first as number, "SIGKILL");
    await until(() => out.lines().some((l) => l.startsWith("relay is back")), "the restart");
    const second = s.current().process.pid;
    expect(out.lines()).toEqual([
      expect.stringMatching(
        /^relay exited \(signal SIGKILL\) after \d+\.\d s up; restart 1 in 0\.1 s$/,
      ),
      `relay is back (restart 1, pid ${String(second)})`,
    ]);
    expect(second).not.toBe(first);
    expect(alive(first)).toBe(false);
    expect(alive(second)).toBe(true);

    await s.stop();
    expect(s.current().process.signalCode).toBe("SIGTERM");
    // Longer than any restart delay of the policy: nothing more happens.
    await new Promise((r) => setTimeout(r, 300));
    expect(out.lines()).toHaveLength(2);
    expect(s.restarts()).toBe(1);
    expect(s.current().process.pid).toBe(second);
  });

  it("restarts after exit code 0 too, and waits twice as long each time it dies again, up to the cap, then gives up", async () => {
    const out = transcript();
    let spawned = 0;
    const s = supervise({
      name: "web",
      // The first one runs until interrupted, the second exits 0, each later one exits 3, soon after it is up.
      spawn: () => {
        const n = ++spawned;
        return nodeChild(
          "web",
          n === 1
            ? "setInterval(() => {}, 1000)"
            : `setTimeout(() => process.exit(${n === 2 ? 0 : 3}), 20)`,
        );
      },
      ready: printedUp,
      say: out.say,
      policy: { ...FAST, maxRestarts: 4 },
      logFile: "/var/log/web.log",
    });
    await s.up;
    s.current().process.kill("SIGINT"); // an exit nobody asked for, however it ends
    const given = await s.gaveUp;
    const lines = out.lines();
    const exitLines = lines.filter((l) => l.includes("; restart"));
    expect(exitLines.map((l) => l.replace(/after \d+\.\d s up/, "after … up"))).toEqual([
      "web exited (signal SIGINT) after … up; restart 1 in 0.1 s",
      "web exited (code 0) after … up; restart 2 in 0.2 s",
      "web exited (code 3) after … up; restart 3 in 0.4 s",
      "web exited (code 3) after … up; restart 4 in 0.8 s",
    ]);
    expect(lines.at(-1)).toBe(
      "web exited (code 3) 5 times within 60 s; not restarting it again (its log: /var/log/web.log)",
    );
    expect(given).toMatchObject({
      name: "web",
      exits: 5,
      withinMs: 60_000,
      last: { code: 3, signal: null },
    });
    expect(given.message).toBe(lines.at(-1));

    // The delays were really waited: each exit comes at least its delay after the previous one.
    const exitAt = lines.flatMap((l, i) => (l.startsWith("web exited") ? [out.at(i)] : []));
    for (const [i, delay] of [100, 200, 400, 800].entries()) {
      expect((exitAt[i + 1] ?? 0) - (exitAt[i] ?? 0)).toBeGreaterThanOrEqual(delay - 5);
    }
    // And no sixth process is started.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(spawned).toBe(5);
    expect(s.restarts()).toBe(4);
  });

  it("starts the backoff over once the process has stayed up long enough", async () => {
    const out = transcript();
    let spawned = 0;
    const script = (n: number) =>
      n === 1 || n === 2
        ? "setTimeout(() => process.exit(1), 20)"
        : n === 3
          ? "setTimeout(() => process.exit(1), 600)"
          : "setInterval(() => {}, 1000)";
    const s = supervise({
      name: "relay",
      spawn: () => nodeChild("relay", script(++spawned)),
      ready: printedUp,
      say: out.say,
      policy: { ...FAST, resetAfterMs: 400 },
    });
    await s.up;
    await until(
      () => spawned === 4 && out.lines().some((l) => l.includes("(restart 3,")),
      "the third restart",
    );
    await s.stop();
    expect(
      out
        .lines()
        .filter((l) => l.includes("; restart"))
        .map((l) => l.replace(/^.*; /, "")),
    ).toEqual([
      "restart 1 in 0.1 s",
      "restart 2 in 0.2 s",
      "restart 3 in 0.1 s", // the third process stayed up 0.6 s > 0.4 s
    ]);
  });

  it("does not restart a process that exits after hold(), as on Ctrl-C when the terminal signals every process", async () => {
    const out = transcript();
    const s = supervise({
      name: "relay",
      spawn: () => nodeChild("relay", "setInterval(() => {}, 1000)"),
      ready: printedUp,
      say: out.say,
      policy: FAST,
    });
    await s.up;
    s.hold();
    const child = s.current();
    child.process.kill("SIGINT");
    expect(await child.exited).toEqual({ code: null, signal: "SIGINT" });
    await new Promise((r) => setTimeout(r, 300));
    expect(out.lines()).toEqual([]);
    expect(s.current()).toBe(child);
  });

  it("treats a process that never comes up as a startup failure, not something to restart", async () => {
    const out = transcript();
    let spawned = 0;
    const failing = supervise({
      name: "relay",
      spawn: () => {
        spawned++;
        return startChild({
          name: "relay",
          command: process.execPath,
          args: ["-e", "process.exit(2)"],
          cwd: logDir,
          env: process.env,
          logFile: path.join(logDir, "never.log"),
          echo: false,
        });
      },
      ready: printedUp,
      say: out.say,
      policy: FAST,
    });
    await expect(failing.up).rejects.toThrow("relay exited before it was up");
    await new Promise((r) => setTimeout(r, 300));
    expect(spawned).toBe(1);
    expect(out.lines()).toEqual([]);
    expect(failing.current().process.exitCode).toBe(2);
  });

  it("stops a process still starting up, and never restarts it", async () => {
    const out = transcript();
    let spawned = 0;
    const s = supervise({
      name: "web",
      spawn: () => {
        spawned++;
        return startChild({
          name: "web",
          command: process.execPath,
          args: ["-e", "setInterval(() => {}, 1000)"],
          cwd: logDir,
          env: process.env,
          logFile: path.join(logDir, "slow.log"),
          echo: false,
        });
      },
      ready: printedUp, // never prints "up"
      say: out.say,
      policy: FAST,
    });
    await new Promise((r) => s.current().process.once("spawn", r));
    await s.stop();
    await expect(s.up).rejects.toThrow("web exited before it was up");
    expect(s.current().process.signalCode).toBe("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    expect(spawned).toBe(1);
    expect(out.lines()).toEqual([]);
  });

  it("kills a restarted process that never becomes ready, and counts that as an exit", async () => {
    const out = transcript();
    let spawned = 0;
    const s = supervise({
      name: "web",
      // The first one comes up; the second hangs without ever saying "up"; the third comes up.
      spawn: () => {
        const n = ++spawned;
        return n === 2
          ? startChild({
              name: "web",
              command: process.execPath,
              args: ["-e", "setInterval(() => {}, 1000)"],
              cwd: logDir,
              env: process.env,
              logFile: path.join(logDir, "hang.log"),
              echo: false,
            })
          : nodeChild("web", "setInterval(() => {}, 1000)");
      },
      ready: (child) =>
        Promise.race([
          printedUp(child),
          new Promise<void>((_, reject) =>
            setTimeout(() => reject(new Error("no answer within 0.3 s")), 300),
          ),
        ]),
      say: out.say,
      policy: FAST,
    });
    await s.up;
    s.current().process.kill("SIGKILL");
    await until(() => out.lines().some((l) => l.includes("(restart 2,")), "the second restart");
    await s.stop();
    expect(
      out
        .lines()
        .map((l) => l.replace(/after \d+\.\d s up/, "after … up").replace(/pid \d+/, "pid …")),
    ).toEqual([
      "web exited (signal SIGKILL) after … up; restart 1 in 0.1 s",
      "web did not come back after restart 1 (no answer within 0.3 s); killing it",
      "web exited (signal SIGKILL) after … up; restart 2 in 0.2 s",
      "web is back (restart 2, pid …)",
    ]);
    expect(spawned).toBe(3);
  });

  it("uses 0.5 s doubling to 30 s by default", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(DEFAULT_RESTART_POLICY, n))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
  });
});
