/**
 * Which backend server acknowledged a batch: the address and port the session
 * reached, and the postmaster's start time. Another host (a failover), or the
 * same host restarted (a crash, a whole-cluster restart), gives another
 * identity; the shipper then re-ships its retained batches (ship/shipper.ts).
 *
 * The columns are selected in the same statement as `pem.ingest_samples`
 * (ship/ship-batch.ts), so knowing the server costs no extra round trip.
 * Source: PostgreSQL documentation, "System Information Functions":
 * `inet_server_addr()` and `inet_server_port()` (NULL over a Unix socket),
 * `pg_postmaster_start_time()`; all three are executable by every role.
 */

/** The identity of one running backend server. */
export interface ServerIdentity {
  /** Server address of the session (`host(inet_server_addr())`), null over a Unix socket. */
  address: string | null;
  /** Server port of the session, null over a Unix socket. */
  port: number | null;
  /** Postmaster start time as seconds since the Unix epoch with microseconds (text, exact), null if unknown. */
  startedAt: string | null;
  /** One string of the three, for comparison and logs: `address:port@startedAt`. */
  key: string;
}

/**
 * Select-list items giving the columns {@link serverIdentityFromRow} reads:
 * `server_addr`, `server_port`, `server_started`. The start time is an epoch
 * value so that it does not depend on the session's TimeZone or DateStyle.
 */
export const SERVER_IDENTITY_COLUMNS =
  'host(inet_server_addr()) AS server_addr, inet_server_port() AS server_port, ' +
  'extract(epoch FROM pg_postmaster_start_time())::text AS server_started';

/** Row shape of {@link SERVER_IDENTITY_COLUMNS}. */
export interface ServerIdentityRow {
  server_addr?: string | null;
  server_port?: number | string | null;
  server_started?: string | null;
}

/** The identity from a row holding {@link SERVER_IDENTITY_COLUMNS} (missing columns read as null). */
export function serverIdentityFromRow(row: ServerIdentityRow | undefined): ServerIdentity {
  const address = row?.server_addr ?? null;
  const port = row?.server_port === undefined || row.server_port === null ? null : Number(row.server_port);
  const startedAt = row?.server_started ?? null;
  return { address, port, startedAt, key: `${address ?? 'local'}:${port ?? '-'}@${startedAt ?? '-'}` };
}
