import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";

export interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Starts a child process whose output goes to its log file and, prefixed, to the
 * console; `stop` sends SIGTERM and waits (SIGKILL after 10 s).
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
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    name: opts.name,
    process: child,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
      log.end();
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
