/**
 * Supervision of one process of `cairn start` (the relay, the web app): once it has
 * come up, any exit the supervisor did not ask for — a crash, exit code 0, kill -9 —
 * restarts it after an exponential backoff, and each step is said in the output.
 * A process that keeps dying (more than `maxRestarts` exits within `windowMs`) is not
 * restarted again: `gaveUp` resolves and the stack stops. `stop()` (Ctrl-C, SIGTERM)
 * ends it with no restart.
 */
import { describeExit, type Child, type ExitStatus } from "./processes";

export interface RestartPolicy {
  /** Delay before the first restart; each consecutive one doubles it. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A process that stayed up this long before dying starts the backoff over. */
  resetAfterMs: number;
  /** More than this many exits within `windowMs` and the supervisor gives up. */
  maxRestarts: number;
  windowMs: number;
}

/** 0.5 s doubling to 30 s, reset after 30 s up; give up after the 6th exit within a minute. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  resetAfterMs: 30_000,
  maxRestarts: 5,
  windowMs: 60_000,
};

/** Why supervision ended without being asked to. */
export interface GiveUp {
  name: string;
  exits: number;
  withinMs: number;
  last: ExitStatus;
  message: string;
}

export interface Supervised {
  name: string;
  /**
   * Resolves once the first process is ready. Rejects with what `ready` threw if it
   * never was (that process is stopped): a process that never came up is a startup
   * failure, not something to restart.
   */
  up: Promise<void>;
  /** The process running now (or the last one, between a crash and its restart). */
  current(): Child;
  /** Restarts so far. */
  restarts(): number;
  /** Resolves when the process kept dying and will not be restarted again. */
  gaveUp: Promise<GiveUp>;
  /** From now on no exit is restarted (call first on every process when stopping a stack). */
  hold(): void;
  /** Holds, cancels a pending restart and stops the process (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

export interface SuperviseOptions {
  name: string;
  /** Starts a fresh process (called once, then once per restart). */
  spawn: () => Child;
  /** Resolves once a process is serving (e.g. answers HTTP); rejects if it never does. */
  ready: (child: Child) => Promise<void>;
  /** One line of output for the operator. */
  say: (line: string) => void;
  policy?: Partial<RestartPolicy>;
  /** Where the process's own output goes, named when giving up. */
  logFile?: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/** The delay before consecutive restart number `n` (1-based) under `policy`. */
export function backoffDelay(policy: RestartPolicy, n: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, n - 1));
}

/** Starts the process at once and supervises it from the moment it is ready (`up`). */
export function supervise(opts: SuperviseOptions): Supervised {
  const policy: RestartPolicy = { ...DEFAULT_RESTART_POLICY, ...opts.policy };
  let child = opts.spawn();
  let startedAt = performance.now();
  let held = false;
  let restarts = 0;
  let consecutive = 0;
  let exits: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  let giveUp!: (g: GiveUp) => void;
  const gaveUp = new Promise<GiveUp>((resolve) => (giveUp = resolve));

  const watch = (c: Child) => void c.exited.then((status) => onExit(c, status));

  const onExit = (c: Child, status: ExitStatus) => {
    if (held || c !== child) return;
    const now = performance.now();
    const uptime = now - startedAt;
    if (uptime >= policy.resetAfterMs) consecutive = 0;
    exits = [...exits.filter((t) => now - t < policy.windowMs), now];
    if (exits.length > policy.maxRestarts) {
      held = true;
      const message =
        `${opts.name} exited (${describeExit(status)}) ${exits.length} times within ${seconds(policy.windowMs)}; ` +
        `not restarting it again${opts.logFile ? ` (its log: ${opts.logFile})` : ""}`;
      opts.say(message);
      giveUp({
        name: opts.name,
        exits: exits.length,
        withinMs: policy.windowMs,
        last: status,
        message,
      });
      return;
    }
    consecutive++;
    restarts++;
    const n = restarts;
    const delay = backoffDelay(policy, consecutive);
    opts.say(
      `${opts.name} exited (${describeExit(status)}) after ${seconds(uptime)} up; restart ${n} in ${seconds(delay)}`,
    );
    timer = setTimeout(() => relaunch(n), delay);
  };

  const relaunch = (n: number) => {
    timer = undefined;
    if (held) return;
    const c = opts.spawn();
    child = c;
    startedAt = performance.now();
    watch(c);
    opts.ready(c).then(
      () => {
        if (!held && child === c)
          opts.say(`${opts.name} is back (restart ${n}, pid ${String(c.process.pid)})`);
      },
      (err: unknown) => {
        // It exited before it was ready: onExit deals with that. It hangs: kill it, which counts as an exit.
        if (held || child !== c || c.process.exitCode !== null || c.process.signalCode !== null)
          return;
        opts.say(
          `${opts.name} did not come back after restart ${n} (${err instanceof Error ? err.message : String(err)}); killing it`,
        );
        c.process.kill("SIGKILL");
      },
    );
  };

  const first = child;
  const up = opts.ready(first).then(
    () => {
      startedAt = performance.now();
      watch(first);
    },
    async (err: unknown) => {
      held = true;
      await first.stop();
      throw err;
    },
  );
  up.catch(() => undefined); // the caller awaits `up`; this only keeps an unawaited rejection quiet
  const hold = () => {
    held = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  return {
    name: opts.name,
    up,
    current: () => child,
    restarts: () => restarts,
    gaveUp,
    hold,
    stop: async () => {
      hold();
      await child.stop();
    },
  };
}
