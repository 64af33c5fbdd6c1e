/**
 * libpq connection strings: parse (key=value and URI forms), resolve with the
 * `PG*` environment variables and libpq's defaults, validate. Formatting back:
 * conninfo/format.ts; the password file: conninfo/pgpass.ts (the only I/O).
 *
 * Sources, PostgreSQL 15 documentation:
 * - §34.1.1 "Connection Strings" (libpq-connect.html#LIBPQ-CONNSTRING): the two
 *   forms, quoting, URI percent-encoding, multiple hosts;
 * - §34.1.2 "Parameter Key Words" (libpq-connect.html#LIBPQ-PARAMKEYWORDS);
 * - §34.15 "Environment Variables" (libpq-envars.html);
 * - §34.16 "The Password File" (libpq-pgpass.html).
 * Where the documentation is silent the behaviour follows libpq's source
 * (`src/interfaces/libpq/fe-connect.c`: `conninfo_parse`, `conninfo_uri_parse_options`,
 * `conninfo_uri_parse_params`, `conninfo_uri_decode`, `connectOptions2`,
 * `parse_int_param`, `passwordFromFile`) and was checked against psql 15.
 *
 * Deviations from libpq, on purpose:
 * - The default user is `env.USER`, else `postgres`; libpq uses the effective OS
 *   user (`getpwuid(geteuid())`). This keeps parsing a pure function of its inputs
 *   (the default passfile, `$HOME/.pgpass`, falls back to the OS home directory
 *   only when `env.HOME` is unset).
 * - Errors are thrown when the string is parsed, not when connecting: a bad
 *   `port`, `connect_timeout` or `hostaddr` is an {@link InputError} at once.
 * - `source_address` is a Pharos extension libpq does not have (psql rejects it
 *   as an invalid connection option): the local IP address outgoing TCP
 *   connections are bound to.
 * - Keys libpq knows but Pharos cannot honour safely are rejected with a message
 *   saying so (`service`, `sslpassword`, `sslcrldir`, `requirepeer`, `replication`,
 *   `krbsrvname`, `gsslib`, and the values `gssencmode=require`,
 *   `channel_binding=require`); so are the environment variables `PGSERVICE`,
 *   `PGSSLCRLDIR` and `PGREQUIREPEER` when set. `PGDATESTYLE`, `PGTZ`, `PGGEQO`,
 *   `PGKRBSRVNAME` and `PGGSSLIB` are ignored.
 */
import { isIP } from 'node:net';
import { pharosError } from '../errors/index.js';
import { KEYS, type RawParams, UNSUPPORTED, UNSUPPORTED_ENV } from './keywords.js';
import { parseKeyValue } from './parse-keyvalue.js';
import { parseUri, uriPrefixLength } from './parse-uri.js';
import { defaultPassfile } from './pgpass.js';
import {
  type ConnInfo,
  DEFAULT_PORT,
  DEFAULT_SOCKET_DIR,
  type HostEntry,
  SSL_MODES,
  TARGET_SESSION_ATTRS,
} from './types.js';

/** libpq `parse_int_param`: optional whitespace and sign, digits, optional trailing whitespace. */
function parseIntParam(value: string, key: string): number {
  if (!/^[ \t\n\r\v\f]*[+-]?\d+[ \t\n\r\v\f]*$/.test(value)) {
    throw pharosError('PHAROS_CONNINFO_VALUE_INVALID', {
      detail: `invalid integer value "${value}" for connection option "${key}"`,
    });
  }
  const n = Number.parseInt(value.trim(), 10);
  if (!Number.isSafeInteger(n) || n > 2147483647 || n < -2147483648) {
    throw pharosError('PHAROS_CONNINFO_VALUE_INVALID', {
      detail: `invalid integer value "${value}" for connection option "${key}"`,
    });
  }
  return n;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], key: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw pharosError('PHAROS_CONNINFO_VALUE_INVALID', {
      detail: `invalid ${key} value: "${value}" (expected one of: ${allowed.join(', ')})`,
    });
  }
  return value as T;
}

function parseBoolInt(value: string, key: string): boolean {
  return parseIntParam(value, key) !== 0;
}

function splitList(value: string | undefined): string[] {
  return value === undefined || value === '' ? [] : value.split(',');
}

/** The value of `key`, undefined when unset or empty (libpq treats an empty value as unset for defaults). */
function nonEmpty(raw: RawParams, key: string): string | undefined {
  const v = raw.get(key);
  return v === undefined || v === '' ? undefined : v;
}

/**
 * The parameters of `text` (either form), with the `PG*` variables of `env`
 * for keys the string does not set at all (`host=` with an empty value counts
 * as set, as in libpq).
 * @throws InputError for a syntax error, an unknown or unsupported key, or an unsupported variable set
 */
function readParams(text: string, env: Record<string, string | undefined>): RawParams {
  const raw: RawParams = new Map();
  if (uriPrefixLength(text) > 0) parseUri(text, raw);
  else parseKeyValue(text, raw);
  for (const [key, envvar] of Object.entries(KEYS)) {
    if (envvar && !raw.has(key)) {
      const v = env[envvar];
      if (v !== undefined) raw.set(key, v);
    }
  }
  for (const [envvar, key] of Object.entries(UNSUPPORTED_ENV)) {
    if (env[envvar] !== undefined && env[envvar] !== '') {
      throw pharosError('PHAROS_CONNINFO_ENV_UNSUPPORTED', { variable: envvar, reason: UNSUPPORTED[key]! });
    }
  }
  return raw;
}

/**
 * libpq `connectOptions2`: the host list from `host`, `hostaddr` and `port`
 * (§34.1.1.3 "Specifying Multiple Hosts"). `hostaddr` and `host` pair up one to
 * one when both are given; `port` has one element (for all hosts) or one per
 * host; an empty element means the default (5432, or the default socket
 * directory for `host`).
 * @throws InputError for a count mismatch, a hostaddr that is not an IP address, a bad port
 */
function pairHosts(raw: RawParams): HostEntry[] {
  const hostaddrs = splitList(raw.get('hostaddr'));
  const hostNames = splitList(raw.get('host'));
  let count: number;
  if (hostaddrs.length > 0) {
    count = hostaddrs.length;
    if (hostNames.length > 0 && hostNames.length !== count) {
      throw pharosError('PHAROS_CONNINFO_VALUE_INVALID', {
        detail: `could not match ${hostNames.length} host names to ${count} hostaddr values (host="${raw.get('host')}", hostaddr="${raw.get('hostaddr')}")`,
      });
    }
  } else {
    count = Math.max(1, hostNames.length);
  }
  const portList = splitList(raw.get('port'));
  if (portList.length > 1 && portList.length !== count) {
    throw pharosError('PHAROS_CONNINFO_VALUE_INVALID', {
      detail: `could not match ${portList.length} port numbers to ${count} hosts (port="${raw.get('port')}")`,
    });
  }
  const hosts: HostEntry[] = [];
  for (let i = 0; i < count; i++) {
    const hostaddr = hostaddrs[i] ?? '';
    let host = hostNames[i] ?? '';
    if (hostaddr !== '' && isIP(hostaddr) === 0) {
      throw pharosError('PHAROS_CONNINFO_VALUE_INVALID', {
        detail: `could not parse network address "${hostaddr}" of connection option "hostaddr"`,
      });
    }
    if (host === '' && hostaddr === '') host = DEFAULT_SOCKET_DIR;
    const portText = portList.length === 1 ? portList[0]! : (portList[i] ?? '');
    let port = DEFAULT_PORT;
    if (portText !== '') {
      let n: number;
      try {
        n = parseIntParam(portText, 'port');
      } catch {
        throw pharosError('PHAROS_CONNINFO_VALUE_INVALID', {
          detail: `invalid port number: "${portText}" for connection option "port"`,
        });
      }
      if (n < 1 || n > 65535)
        throw pharosError('PHAROS_CONNINFO_VALUE_INVALID', {
          detail: `invalid port number: "${portText}" for connection option "port"`,
        });
      port = n;
    }
    hosts.push(hostaddr === '' ? { host, port } : { host, hostaddr, port });
  }
  return hosts;
}

/** The integer keys: `connect_timeout` (seconds), the keepalive settings and `tcp_user_timeout` (ms). */
function applyTimeouts(raw: RawParams, ci: ConnInfo): void {
  const intKeys: [string, keyof ConnInfo][] = [
    ['connect_timeout', 'connectTimeoutSeconds'],
    ['keepalives_idle', 'keepalivesIdleSeconds'],
    ['keepalives_interval', 'keepalivesIntervalSeconds'],
    ['keepalives_count', 'keepalivesCount'],
    ['tcp_user_timeout', 'tcpUserTimeoutMs'],
  ];
  for (const [key, field] of intKeys) {
    const v = nonEmpty(raw, key);
    if (v !== undefined) (ci as unknown as Record<string, number>)[field] = parseIntParam(v, key);
  }
}

/** The text keys taken as given: application names, server options, client encoding, TLS file paths. */
function applyTextKeys(raw: RawParams, ci: ConnInfo): void {
  const strKeys: [string, keyof ConnInfo][] = [
    ['application_name', 'applicationName'],
    ['fallback_application_name', 'fallbackApplicationName'],
    ['options', 'options'],
    ['client_encoding', 'clientEncoding'],
    ['sslrootcert', 'sslrootcert'],
    ['sslcert', 'sslcert'],
    ['sslkey', 'sslkey'],
    ['sslcrl', 'sslcrl'],
  ];
  for (const [key, field] of strKeys) {
    const v = nonEmpty(raw, key);
    if (v !== undefined) (ci as unknown as Record<string, string>)[field] = v;
  }
}

/**
 * The TLS and transport-security keys that need checking: protocol version
 * bounds, `sslcompression`, `gssencmode` and `channel_binding` (their
 * `require` values are refused: Pharos cannot honour them).
 */
function applyTlsKeys(raw: RawParams, ci: ConnInfo): void {
  const tlsVersions = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
  const minV = nonEmpty(raw, 'ssl_min_protocol_version');
  if (minV !== undefined) ci.sslMinProtocolVersion = oneOf(minV, tlsVersions, 'ssl_min_protocol_version');
  const maxV = nonEmpty(raw, 'ssl_max_protocol_version');
  if (maxV !== undefined) ci.sslMaxProtocolVersion = oneOf(maxV, tlsVersions, 'ssl_max_protocol_version');
  const comp = nonEmpty(raw, 'sslcompression');
  if (comp !== undefined) ci.sslcompression = parseBoolInt(comp, 'sslcompression');
  const gss = nonEmpty(raw, 'gssencmode');
  if (gss !== undefined) {
    const g = oneOf(gss, ['disable', 'prefer', 'require'] as const, 'gssencmode');
    if (g === 'require')
      throw pharosError('PHAROS_CONNINFO_VALUE_UNSUPPORTED', {
        detail: 'gssencmode value "require" is not supported: Pharos has no GSSAPI',
      });
    ci.gssencmode = g;
  }
  const cb = nonEmpty(raw, 'channel_binding');
  if (cb !== undefined) {
    const c = oneOf(cb, ['disable', 'prefer', 'require'] as const, 'channel_binding');
    if (c === 'require')
      throw pharosError('PHAROS_CONNINFO_VALUE_UNSUPPORTED', {
        detail: 'channel_binding value "require" is not supported by Pharos',
      });
    ci.channelBinding = c;
  }
}

/**
 * Parses a libpq connection string (key=value or `postgresql://`/`postgres://`
 * URI) into a resolved {@link ConnInfo}.
 *
 * - Later keys override earlier ones; in a URI, query parameters override the
 *   hierarchical part (`postgresql:///db?host=h&port=5433`). `ssl=true` in a URI
 *   means `sslmode=require`, `requiressl=1` means `sslmode=require` (libpq).
 * - `host`, `hostaddr` and `port` are comma-separated lists (§34.1.1.3): `hostaddr`
 *   and `host` must have the same count when both are given; `port` must have
 *   one element (applies to all hosts) or one per host; an empty element means
 *   the default (5432, or the default socket directory for `host`).
 * - `PG*` environment variables (§34.15) apply only to keys the string does not
 *   set at all (`host=` with an empty value counts as set, as in libpq).
 * - Defaults: port 5432; host {@link DEFAULT_SOCKET_DIR}; user `env.USER`, else
 *   `postgres` (see the module note); dbname = user; sslmode `prefer`;
 *   target_session_attrs `any`; passfile `$HOME/.pgpass`; keepalives on; sslsni on.
 *
 * @param text the connection string; `''` means all defaults.
 * @param env environment to take `PG*`, `USER` and `HOME` from; default `process.env`.
 * @throws InputError naming the key and value: an unknown key (`invalid connection
 *   option "x"`), an unsupported one, a bad port (`invalid port number`), a port
 *   or hostaddr count mismatch, an invalid integer, sslmode, target_session_attrs,
 *   gssencmode, channel_binding or protocol version, a hostaddr or source_address
 *   that is not an IP address, and any URI syntax error libpq reports.
 */
export function parseConninfo(text: string, env: Record<string, string | undefined> = process.env): ConnInfo {
  const raw = readParams(text, env);
  const hosts = pairHosts(raw);
  const user = nonEmpty(raw, 'user') ?? (env.USER || 'postgres');
  const ci: ConnInfo = {
    hosts,
    dbname: nonEmpty(raw, 'dbname') ?? user,
    user,
    passfile: nonEmpty(raw, 'passfile') ?? defaultPassfile(env),
    sslmode: oneOf(nonEmpty(raw, 'sslmode') ?? 'prefer', SSL_MODES, 'sslmode'),
    sslsni: raw.has('sslsni') ? raw.get('sslsni')!.startsWith('1') : true,
    targetSessionAttrs: oneOf(
      nonEmpty(raw, 'target_session_attrs') ?? 'any',
      TARGET_SESSION_ATTRS,
      'target_session_attrs',
    ),
    keepalives: raw.has('keepalives') ? parseBoolInt(raw.get('keepalives')!, 'keepalives') : true,
  };
  if (raw.has('sslsni') && !/^[01]$/.test(raw.get('sslsni')!)) {
    throw pharosError('PHAROS_CONNINFO_VALUE_INVALID', {
      detail: `invalid sslsni value: "${raw.get('sslsni')}" (expected 0 or 1)`,
    });
  }
  const pw = raw.get('password');
  if (pw !== undefined && pw !== '') ci.password = pw;
  applyTimeouts(raw, ci);
  applyTextKeys(raw, ci);
  applyTlsKeys(raw, ci);
  const src = nonEmpty(raw, 'source_address');
  if (src !== undefined) {
    if (isIP(src) === 0) {
      throw pharosError('PHAROS_CONNINFO_VALUE_INVALID', {
        detail: `invalid source_address value: "${src}" (expected an IPv4 or IPv6 address)`,
      });
    }
    ci.sourceAddress = src;
  }
  return ci;
}
