/**
 * Several relay processes: a Socket.IO adapter on the PostgreSQL we already run
 * (@socket.io/postgres-adapter), so `io.to(room).emit` from one relay reaches the
 * room's sockets on every relay. Each broadcast is one NOTIFY on the adapter's
 * channel; a payload over NOTIFY's 8000-byte limit goes through the
 * `socket_io.attachments` table (created by the migration
 * 20261203120000_socket_io_attachments, never at runtime).
 *
 * Fan-out across relays is best effort: a NOTIFY sent while a relay's listening
 * connection is away is lost (the adapter reconnects on its own). Clients resume each
 * room from their last room sequence number on reconnect, so nothing stored is lost.
 */
import { createAdapter } from "@socket.io/postgres-adapter";
import { errorFields, type Logger } from "@cairn/log";
import pg from "pg";
import type { ServerOptions } from "socket.io";

/** Schema-qualified: the table lives outside the public schema Prisma describes. */
export const ATTACHMENTS_TABLE = "socket_io.attachments";

export interface RelayAdapter {
  adapter: ServerOptions["adapter"];
  /** Ends the adapter's pool (after the Socket.IO server has closed). */
  close(): Promise<void>;
}

export interface PostgresAdapterOptions {
  /**
   * Connections of the adapter's own pool, kept apart from the store's: one stays
   * checked out for LISTEN, the others send NOTIFYs. Default 4.
   */
  poolSize?: number;
}

/**
 * The adapter over its own small pg pool.
 * @throws RangeError when poolSize is below 2 (LISTEN holds one connection for good)
 */
export function postgresAdapter(databaseUrl: string, log: Logger, opts: PostgresAdapterOptions = {}): RelayAdapter {
  const max = opts.poolSize ?? 4;
  if (!Number.isInteger(max) || max < 2) throw new RangeError("postgresAdapter: poolSize must be an integer ≥ 2");
  const pool = new pg.Pool({ connectionString: databaseUrl, max, application_name: "cairn-relay-adapter" });
  // An idle client's error (PostgreSQL restarted) is reported here instead of crashing the process.
  pool.on("error", (err) => log.warn("relay adapter connection error", errorFields(err)));
  // The LISTEN client stays checked out, where the pool's idle handler is not attached:
  // without a listener of its own its error would be an uncaught exception. The adapter
  // reconnects when that client ends.
  pool.on("connect", (client) => {
    client.on("error", (err) => log.warn("relay adapter listener error", errorFields(err)));
  });
  const adapter = createAdapter(pool, {
    tableName: ATTACHMENTS_TABLE,
    errorHandler: (err) => log.warn("relay adapter error", errorFields(err)),
  });
  return {
    adapter,
    close: () => pool.end(),
  };
}
