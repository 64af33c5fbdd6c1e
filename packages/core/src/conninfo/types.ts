/**
 * The shapes of a resolved libpq connection string (PostgreSQL documentation
 * §34.1.2 "Parameter Key Words") and libpq's compiled-in defaults.
 */

/** `sslmode` values (§34.19.1, table 34.1 "SSL Mode Descriptions"). */
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
/** `target_session_attrs` values (§34.1.2). */
export type TargetSessionAttrs =
  | 'any'
  | 'read-write'
  | 'read-only'
  | 'primary'
  | 'standby'
  | 'prefer-standby';

/** Every valid `sslmode`, weakest first. */
export const SSL_MODES: readonly SslMode[] = [
  'disable',
  'allow',
  'prefer',
  'require',
  'verify-ca',
  'verify-full',
];
/** Every valid `target_session_attrs` (libpq 14+). */
export const TARGET_SESSION_ATTRS: readonly TargetSessionAttrs[] = [
  'any',
  'read-write',
  'read-only',
  'primary',
  'standby',
  'prefer-standby',
];

/** libpq's compiled-in port (`DEF_PGPORT`). */
export const DEFAULT_PORT = 5432;
/** Debian's compiled-in Unix socket directory (`DEFAULT_PGSOCKET_DIR`), used when no host is given. */
export const DEFAULT_SOCKET_DIR = '/var/run/postgresql';

/** One entry of the host list, after libpq's pairing of `host`, `hostaddr` and `port`. */
export interface HostEntry {
  /**
   * Host name, IP address, or a Unix socket directory (starts with `/`, or `@`
   * for the abstract namespace). Empty only when `hostaddr` is set. When neither
   * was given it is {@link DEFAULT_SOCKET_DIR}.
   */
  host: string;
  /** Numeric IP address to dial instead of resolving `host` (which then is used for TLS name checks and .pgpass). */
  hostaddr?: string;
  /** TCP port, or the socket file's number (`.s.PGSQL.<port>`). */
  port: number;
}

/** A resolved connection string: every libpq default and `PG*` variable applied. */
export interface ConnInfo {
  /** Hosts in the order given (at least one). */
  hosts: HostEntry[];
  dbname: string;
  user: string;
  password?: string;
  /** Password file path; default `$HOME/.pgpass`. Consulted per host when `password` is unset. */
  passfile: string;
  /** `connect_timeout` as given, seconds; undefined, 0 or negative = wait indefinitely; 1 is used as 2 (libpq). */
  connectTimeoutSeconds?: number;
  applicationName?: string;
  fallbackApplicationName?: string;
  /** Command-line options sent to the server at connection start (`-c name=value ...`). */
  options?: string;
  clientEncoding?: string;
  sslmode: SslMode;
  sslrootcert?: string;
  sslcert?: string;
  sslkey?: string;
  sslcrl?: string;
  /** `sslsni`, default true: send the host name as TLS SNI (never for IP addresses). */
  sslsni: boolean;
  sslMinProtocolVersion?: string;
  sslMaxProtocolVersion?: string;
  /** `sslcompression`: accepted for compatibility, ignored (as by libpq 14+ with modern OpenSSL). */
  sslcompression?: boolean;
  /** `gssencmode`: `disable` or `prefer` (Pharos has no GSSAPI, so `prefer` means no encryption). */
  gssencmode?: 'disable' | 'prefer';
  /** `channel_binding`: `disable` or `prefer`. */
  channelBinding?: 'disable' | 'prefer';
  targetSessionAttrs: TargetSessionAttrs;
  /** `keepalives`, default true. */
  keepalives: boolean;
  keepalivesIdleSeconds?: number;
  /** Accepted and validated; Node cannot set the interval, so it is not applied. */
  keepalivesIntervalSeconds?: number;
  /** Accepted and validated; Node cannot set the count, so it is not applied. */
  keepalivesCount?: number;
  /** Accepted and validated; Node cannot set TCP_USER_TIMEOUT, so it is not applied. */
  tcpUserTimeoutMs?: number;
  /** Pharos extension (not libpq): local IP address outgoing TCP connections are bound to. */
  sourceAddress?: string;
}

/** True for a libpq Unix-socket host (`is_unixsock_path`): an absolute path, or `@` (abstract namespace). */
export function isUnixSocketHost(host: string): boolean {
  return host.startsWith('/') || host.startsWith('@');
}
