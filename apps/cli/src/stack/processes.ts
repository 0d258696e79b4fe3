import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";

/** How a child process ended: its exit code, or the signal that killed it, or why it never ran. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (spawn failed). */
  error?: Error;
}

/** "code 1", "signal SIGKILL" — what an operator reads in `cairn start`'s output. */
export function describeExit(status: ExitStatus): string {
  if (status.error) return `failed to start: ${status.error.message}`;
  if (status.signal) return `signal ${status.signal}`;
  return `code ${String(status.code)}`;
}

export interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<ExitStatus>;
  stop(): Promise<void>;
}

/**
 * Starts a child process whose output goes to its log file and, prefixed, to the
 * console; `stop` sends SIGTERM and waits (SIGKILL after 10 s). The log file is
 * closed once the process's output has ended, however it ended.
 */
export function startChild(opts: {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  echo: boolean;
}): Child {
  const log = createWriteStream(opts.logFile, { flags: "a" });
  const child = spawn(opts.command, opts.args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
  const forward = (chunk: Buffer) => {
    log.write(chunk);
    if (opts.echo) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim()) process.stdout.write(`[${opts.name}] ${line}\n`);
      }
    }
  };
  child.stdout?.on("data", forward);
  child.stderr?.on("data", forward);
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    // A spawn failure emits "error" and no "exit".
    child.once("error", (error) => {
      if (child.pid === undefined) resolve({ code: null, signal: null, error });
    });
  });
  child.once("close", () => log.end());
  child.once("error", () => {
    if (child.pid === undefined) log.end();
  });
  return {
    name: opts.name,
    process: child,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves when `url` answers HTTP (any status), or rejects after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number, child?: Child): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child?.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${child?.name} exited before it answered at ${url}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}
