/**
 * Child processes for the network: one-shot commands (output captured, failure
 * thrown with the tail of stderr) and long-running daemons (detached, logging to a
 * file, recorded in a pid file so `down` and `status` find them later).
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export class CommandError extends Error {
  readonly code = "FABRIC_COMMAND_FAILED";
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = "CommandError";
  }
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called with each chunk of stdout+stderr, e.g. to drive a progress bar. */
  onOutput?: (chunk: string) => void;
}

/**
 * Runs a command to completion and returns its combined output.
 * @throws {CommandError} when it exits non-zero or cannot start.
 */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const take = (b: Buffer): void => {
      const s = b.toString("utf8");
      out += s;
      opts.onOutput?.(s);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", (err) => reject(new CommandError(`${cmd} could not start: ${err.message}`, out)));
    child.on("close", (code) => {
      if (code === 0) resolvePromise(out);
      else reject(new CommandError(`${cmd} ${args.join(" ")} exited with ${code}\n${out.slice(-3000)}`, out));
    });
  });
}

export interface DaemonSpec {
  name: string;
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Starts a detached daemon; its output goes to <logDir>/<name>.log, its pid to <pidDir>/<name>.pid. */
export function startDaemon(spec: DaemonSpec, pidDir: string, logDir: string): number {
  mkdirSync(pidDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const log = openSync(join(logDir, `${spec.name}.log`), "a");
  const child = spawn(spec.cmd, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  if (child.pid === undefined) throw new CommandError(`${spec.name} did not start`, "");
  child.unref();
  writeFileSync(join(pidDir, `${spec.name}.pid`), `${child.pid}\n`);
  return child.pid;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface RecordedDaemon {
  name: string;
  pid: number;
  alive: boolean;
}

export function listDaemons(pidDir: string): RecordedDaemon[] {
  if (!existsSync(pidDir)) return [];
  return readdirSync(pidDir)
    .filter((f) => f.endsWith(".pid"))
    .map((f) => {
      const pid = Number(readFileSync(join(pidDir, f), "utf8").trim());
      return { name: f.slice(0, -4), pid, alive: Number.isInteger(pid) && pid > 0 && isAlive(pid) };
    });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Stops one recorded daemon (its whole process group): SIGTERM, then SIGKILL after 5 s. */
export async function stopDaemon(d: RecordedDaemon, pidDir: string): Promise<void> {
  if (d.alive) {
    const signal = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-d.pid, sig); // detached: the daemon leads its own process group
      } catch {
        try {
          process.kill(d.pid, sig);
        } catch {
          /* already gone */
        }
      }
    };
    signal("SIGTERM");
    for (let i = 0; i < 50 && isAlive(d.pid); i++) await sleep(100);
    if (isAlive(d.pid)) signal("SIGKILL");
  }
  rmSync(join(pidDir, `${d.name}.pid`), { force: true });
}

/**
 * Polls `probe` every `intervalMs` until it resolves true or `timeoutMs` passes.
 * @throws {Error} with `what` in the message on timeout.
 */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** True when http://host:port/healthz answers 200 (Fabric's operations endpoint). */
export async function healthy(port: number): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
  return res.status === 200;
}
