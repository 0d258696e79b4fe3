/**
 * The processes `cairn start` runs, as it runs them: the relay (with its ledger worker)
 * and the Next.js web app, each with the check that says it is serving.
 */
import path from "node:path";
import { REPO_ROOT } from "./paths";
import { startChild, waitForHttp, type Child } from "./processes";

export interface ChildOptions {
  port: number;
  /** The process's environment (DATABASE_URL, CAIRN_SERVER_SECRET…); the relay's port and host are set here. */
  env: NodeJS.ProcessEnv;
  logFile: string;
  echo: boolean;
}

export function relayChild(o: ChildOptions): Child {
  return startChild({
    name: "relay",
    command: process.execPath,
    args: ["--import", "tsx", path.join(REPO_ROOT, "apps/relay/src/main.ts")],
    cwd: path.join(REPO_ROOT, "apps/relay"),
    env: { ...o.env, CAIRN_RELAY_PORT: String(o.port), CAIRN_RELAY_HOST: "127.0.0.1" },
    logFile: o.logFile,
    echo: o.echo,
  });
}

/** Ready once the relay answers a Socket.IO polling handshake (it migrates first: up to 60 s). */
export function relayReady(port: number): (child: Child) => Promise<void> {
  return (child) =>
    waitForHttp(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`, 60_000, child);
}

export function webChild(o: ChildOptions): Child {
  const next = path.join(REPO_ROOT, "apps/web/node_modules/next/dist/bin/next");
  return startChild({
    name: "web",
    command: process.execPath,
    args: [next, "start", "-p", String(o.port), "-H", "127.0.0.1"],
    cwd: path.join(REPO_ROOT, "apps/web"),
    env: o.env,
    logFile: o.logFile,
    echo: o.echo,
  });
}

/** Ready once the web app answers its front page (up to 120 s). */
export function webReady(port: number): (child: Child) => Promise<void> {
  return (child) => waitForHttp(`http://127.0.0.1:${port}/`, 120_000, child);
}
