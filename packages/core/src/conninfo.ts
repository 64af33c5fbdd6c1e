/**
 * libpq connection strings: parse (key=value and URI forms), resolve with the
 * `PG*` environment variables and libpq's defaults, validate, and format back.
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
 *   user (`getpwuid(geteuid())`). This keeps parsing a pure function of its inputs.
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
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pharosError } from './errors/index.js';

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

/** Keys libpq 15 knows that Pharos rejects, with the reason. */
const UNSUPPORTED: Record<string, string> = {
  service: 'connection service files are not supported by Pharos; give the parameters directly',
  sslpassword:
    'encrypted client keys are not supported by Pharos; use an unencrypted key file with mode 0600',
  sslcrldir: 'CRL directories are not supported by Pharos; use sslcrl with a PEM file',
  requirepeer: 'requirepeer is not supported by Pharos',
  replication: 'replication connections are not supported by Pharos',
  krbsrvname: 'GSSAPI/Kerberos is not supported by Pharos',
  gsslib: 'GSSAPI is not supported by Pharos',
};

/** Keys accepted (libpq 15's, minus the unsupported ones, plus source_address), with their environment variable. */
const KEYS: Record<string, string | null> = {
  host: 'PGHOST',
  hostaddr: 'PGHOSTADDR',
  port: 'PGPORT',
  dbname: 'PGDATABASE',
  user: 'PGUSER',
  password: 'PGPASSWORD',
  passfile: 'PGPASSFILE',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  client_encoding: 'PGCLIENTENCODING',
  options: 'PGOPTIONS',
  application_name: 'PGAPPNAME',
  fallback_application_name: null,
  keepalives: null,
  keepalives_idle: null,
  keepalives_interval: null,
  keepalives_count: null,
  tcp_user_timeout: null,
  sslmode: 'PGSSLMODE',
  sslcompression: 'PGSSLCOMPRESSION',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  sslrootcert: 'PGSSLROOTCERT',
  sslcrl: 'PGSSLCRL',
  sslsni: 'PGSSLSNI',
  ssl_min_protocol_version: 'PGSSLMINPROTOCOLVERSION',
  ssl_max_protocol_version: 'PGSSLMAXPROTOCOLVERSION',
  gssencmode: 'PGGSSENCMODE',
  channel_binding: 'PGCHANNELBINDING',
  target_session_attrs: 'PGTARGETSESSIONATTRS',
  source_address: null,
};

/** Environment variables whose setting would weaken or change a check Pharos cannot do. */
const UNSUPPORTED_ENV: Record<string, string> = {
  PGSERVICE: 'service',
  PGSSLCRLDIR: 'sslcrldir',
  PGREQUIREPEER: 'requirepeer',
};

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

function storeval(raw: Map<string, string>, key: string, value: string, fromUri: boolean): void {
  let k = key;
  let v = value;
  // libpq's conninfo_storeval: backwards compatibility for requiressl.
  if (k === 'requiressl') {
    k = 'sslmode';
    v = v.startsWith('1') ? 'require' : 'prefer';
  }
  if (k in UNSUPPORTED)
    throw pharosError('PHAROS_CONNINFO_OPTION_UNSUPPORTED', { option: k, reason: UNSUPPORTED[k]! });
  if (!(k in KEYS)) {
    throw fromUri
      ? pharosError('PHAROS_CONNINFO_URI_PARAMETER_UNKNOWN', { option: k })
      : pharosError('PHAROS_CONNINFO_OPTION_UNKNOWN', { option: k });
  }
  raw.set(k, v);
}

/** libpq `conninfo_parse`: the key=value form. */
function parseKeyValue(text: string, raw: Map<string, string>): void {
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (isSpace(text[i])) {
      i++;
      continue;
    }
    const start = i;
    let name = '';
    while (i < n) {
      if (text[i] === '=') break;
      if (isSpace(text[i])) {
        name = text.slice(start, i);
        while (i < n && isSpace(text[i])) i++;
        break;
      }
      i++;
    }
    if (name === '') name = text.slice(start, i);
    if (text[i] !== '=')
      throw pharosError('PHAROS_CONNINFO_SYNTAX', {
        detail: `missing "=" after "${name}" in connection info string`,
      });
    i++;
    while (i < n && isSpace(text[i])) i++;
    let value = '';
    if (text[i] !== "'") {
      while (i < n) {
        const c = text[i]!;
        if (isSpace(c)) {
          i++;
          break;
        }
        if (c === '\\') {
          i++;
          if (i < n) value += text[i++];
        } else {
          value += c;
          i++;
        }
      }
    } else {
      i++;
      for (;;) {
        if (i >= n)
          throw pharosError('PHAROS_CONNINFO_SYNTAX', {
            detail: 'unterminated quoted string in connection info string',
          });
        const c = text[i]!;
        if (c === '\\') {
          i++;
          if (i < n) value += text[i++];
          continue;
        }
        if (c === "'") {
          i++;
          break;
        }
        value += c;
        i++;
      }
    }
    storeval(raw, name, value, false);
  }
}

/** libpq `conninfo_uri_decode`: percent-decoding (UTF-8 bytes); `+` stays `+`. */
function uriDecode(s: string): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  const enc = Buffer.from(s, 'utf8');
  for (let i = 0; i < enc.length; i++) {
    const b = enc[i]!;
    if (b !== 0x25) {
      bytes.push(b);
      continue;
    }
    const hex = enc.subarray(i + 1, i + 3).toString('latin1');
    if (!/^[0-9a-fA-F]{2}$/.test(hex))
      throw pharosError('PHAROS_CONNINFO_SYNTAX', { detail: `invalid percent-encoded token: "${s}"` });
    const v = Number.parseInt(hex, 16);
    if (v === 0)
      throw pharosError('PHAROS_CONNINFO_SYNTAX', {
        detail: `forbidden value %00 in percent-encoded value: "${s}"`,
      });
    bytes.push(v);
    i += 2;
  }
  return Buffer.from(bytes).toString('utf8');
}

function uriPrefixLength(text: string): number {
  if (text.startsWith('postgresql://')) return 'postgresql://'.length;
  if (text.startsWith('postgres://')) return 'postgres://'.length;
  return 0;
}

/** libpq `conninfo_uri_parse_options` + `conninfo_uri_parse_params`: the URI form. */
function parseUri(uri: string, raw: Map<string, string>): void {
  const s = uri;
  let p = uriPrefixLength(s);
  const start = p;
  // Look ahead for possible user credentials designator.
  while (p < s.length && s[p] !== '@' && s[p] !== '/') p++;
  if (s[p] === '@') {
    let q = start;
    while (s[q] !== ':' && s[q] !== '@') q++;
    const user = s.slice(start, q);
    if (user) storeval(raw, 'user', uriDecode(user), true);
    if (s[q] === ':') {
      const pwStart = q + 1;
      while (s[q] !== '@') q++;
      const password = s.slice(pwStart, q);
      if (password) storeval(raw, 'password', uriDecode(password), true);
    }
    p = q + 1;
  } else {
    p = start;
  }
  const hosts: string[] = [];
  const ports: string[] = [];
  let prevchar: string | undefined;
  for (;;) {
    let host: string;
    if (s[p] === '[') {
      const hs = ++p;
      while (p < s.length && s[p] !== ']') p++;
      if (p >= s.length) {
        throw pharosError('PHAROS_CONNINFO_SYNTAX', {
          detail: `end of string reached when looking for matching "]" in IPv6 host address in URI: "${uri}"`,
        });
      }
      if (p === hs)
        throw pharosError('PHAROS_CONNINFO_SYNTAX', {
          detail: `IPv6 host address may not be empty in URI: "${uri}"`,
        });
      host = s.slice(hs, p);
      p++;
      const c = s[p];
      if (c !== undefined && c !== ':' && c !== '/' && c !== '?' && c !== ',') {
        throw pharosError('PHAROS_CONNINFO_SYNTAX', {
          detail: `unexpected character "${c}" at position ${p + 1} in URI (expected ":" or "/"): "${uri}"`,
        });
      }
    } else {
      const hs = p;
      while (p < s.length && s[p] !== ':' && s[p] !== '/' && s[p] !== '?' && s[p] !== ',') p++;
      host = s.slice(hs, p);
    }
    prevchar = s[p];
    hosts.push(host);
    let port = '';
    if (prevchar === ':') {
      const ps = ++p;
      while (p < s.length && s[p] !== '/' && s[p] !== '?' && s[p] !== ',') p++;
      prevchar = s[p];
      port = s.slice(ps, p);
    }
    ports.push(port);
    if (prevchar !== ',') break;
    p++;
  }
  const hostList = hosts.join(',');
  const portList = ports.join(',');
  if (hostList) storeval(raw, 'host', uriDecode(hostList), true);
  if (portList) storeval(raw, 'port', uriDecode(portList), true);
  if (prevchar !== undefined && prevchar !== '?') {
    const ds = ++p;
    while (p < s.length && s[p] !== '?') p++;
    prevchar = s[p];
    const dbname = s.slice(ds, p);
    // An empty dbname is not stored, so that PGDATABASE still applies (libpq).
    if (dbname) storeval(raw, 'dbname', uriDecode(dbname), true);
  }
  if (prevchar !== undefined) {
    p++;
    parseUriParams(s.slice(p), raw);
  }
}

function parseUriParams(params: string, raw: Map<string, string>): void {
  let p = 0;
  while (p < params.length) {
    const ks = p;
    let keyword: string | undefined;
    let value: string | undefined;
    let vs = -1;
    for (;;) {
      const c = params[p];
      if (c === '=') {
        if (vs >= 0) {
          throw pharosError('PHAROS_CONNINFO_SYNTAX', {
            detail: `extra key/value separator "=" in URI query parameter: "${params.slice(ks, vs - 1)}"`,
          });
        }
        keyword = params.slice(ks, p);
        vs = ++p;
      } else if (c === '&' || c === undefined) {
        if (vs < 0) {
          throw pharosError('PHAROS_CONNINFO_SYNTAX', {
            detail: `missing key/value separator "=" in URI query parameter: "${params.slice(ks, p)}"`,
          });
        }
        value = params.slice(vs, p);
        if (c === '&') p++;
        break;
      } else {
        p++;
      }
    }
    let k = uriDecode(keyword!);
    let v = uriDecode(value);
    // libpq: special keyword handling for improved JDBC compatibility.
    if (k === 'ssl' && v === 'true') {
      k = 'sslmode';
      v = 'require';
    }
    storeval(raw, k, v, true);
  }
}

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

/** True for a libpq Unix-socket host (`is_unixsock_path`): an absolute path, or `@` (abstract namespace). */
export function isUnixSocketHost(host: string): boolean {
  return host.startsWith('/') || host.startsWith('@');
}

function splitList(value: string | undefined): string[] {
  return value === undefined || value === '' ? [] : value.split(',');
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
  const raw = new Map<string, string>();
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

  // connectOptions2: the host list.
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

  const nonEmpty = (k: string): string | undefined => {
    const v = raw.get(k);
    return v === undefined || v === '' ? undefined : v;
  };
  const user = nonEmpty('user') ?? (env.USER || 'postgres');
  const home = env.HOME || homedir();
  const ci: ConnInfo = {
    hosts,
    dbname: nonEmpty('dbname') ?? user,
    user,
    passfile: nonEmpty('passfile') ?? join(home, '.pgpass'),
    sslmode: oneOf(nonEmpty('sslmode') ?? 'prefer', SSL_MODES, 'sslmode'),
    sslsni: raw.has('sslsni') ? raw.get('sslsni')!.startsWith('1') : true,
    targetSessionAttrs: oneOf(
      nonEmpty('target_session_attrs') ?? 'any',
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
  const intKeys: [string, keyof ConnInfo][] = [
    ['connect_timeout', 'connectTimeoutSeconds'],
    ['keepalives_idle', 'keepalivesIdleSeconds'],
    ['keepalives_interval', 'keepalivesIntervalSeconds'],
    ['keepalives_count', 'keepalivesCount'],
    ['tcp_user_timeout', 'tcpUserTimeoutMs'],
  ];
  for (const [key, field] of intKeys) {
    const v = nonEmpty(key);
    if (v !== undefined) (ci as unknown as Record<string, number>)[field] = parseIntParam(v, key);
  }
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
    const v = nonEmpty(key);
    if (v !== undefined) (ci as unknown as Record<string, string>)[field] = v;
  }
  const tlsVersions = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
  const minV = nonEmpty('ssl_min_protocol_version');
  if (minV !== undefined) ci.sslMinProtocolVersion = oneOf(minV, tlsVersions, 'ssl_min_protocol_version');
  const maxV = nonEmpty('ssl_max_protocol_version');
  if (maxV !== undefined) ci.sslMaxProtocolVersion = oneOf(maxV, tlsVersions, 'ssl_max_protocol_version');
  const comp = nonEmpty('sslcompression');
  if (comp !== undefined) ci.sslcompression = parseBoolInt(comp, 'sslcompression');
  const gss = nonEmpty('gssencmode');
  if (gss !== undefined) {
    const g = oneOf(gss, ['disable', 'prefer', 'require'] as const, 'gssencmode');
    if (g === 'require')
      throw pharosError('PHAROS_CONNINFO_VALUE_UNSUPPORTED', {
        detail: 'gssencmode value "require" is not supported: Pharos has no GSSAPI',
      });
    ci.gssencmode = g;
  }
  const cb = nonEmpty('channel_binding');
  if (cb !== undefined) {
    const c = oneOf(cb, ['disable', 'prefer', 'require'] as const, 'channel_binding');
    if (c === 'require')
      throw pharosError('PHAROS_CONNINFO_VALUE_UNSUPPORTED', {
        detail: 'channel_binding value "require" is not supported by Pharos',
      });
    ci.channelBinding = c;
  }
  const src = nonEmpty('source_address');
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

/** Quotes a key=value value when needed: empty, whitespace, `'` or `\` (escaped with `\`). */
export function quoteConninfoValue(value: string): string {
  if (value !== '' && !/[\s'\\]/.test(value)) return value;
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/**
 * Formats a {@link ConnInfo} as a key=value connection string that parses back
 * to the same value: `parseConninfo(formatConninfo(ci), env)` deep-equals `ci`
 * for the same `env` (every resolved field is written; unset optional fields
 * stay unset unless `env` supplies them, exactly as on the first parse).
 * Contains the password when `ci.password` is set: never log the result; use
 * {@link redactConninfo} for logs.
 */
export function formatConninfo(ci: ConnInfo): string {
  const parts: string[] = [];
  const add = (k: string, v: string | number | boolean | undefined) => {
    if (v === undefined) return;
    const s = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
    parts.push(`${k}=${quoteConninfoValue(s)}`);
  };
  add('host', ci.hosts.map((h) => h.host).join(','));
  if (ci.hosts.some((h) => h.hostaddr !== undefined))
    add('hostaddr', ci.hosts.map((h) => h.hostaddr ?? '').join(','));
  add('port', ci.hosts.map((h) => h.port).join(','));
  add('dbname', ci.dbname);
  add('user', ci.user);
  add('password', ci.password);
  add('passfile', ci.passfile);
  add('connect_timeout', ci.connectTimeoutSeconds);
  add('application_name', ci.applicationName);
  add('fallback_application_name', ci.fallbackApplicationName);
  add('options', ci.options);
  add('client_encoding', ci.clientEncoding);
  add('sslmode', ci.sslmode);
  add('sslrootcert', ci.sslrootcert);
  add('sslcert', ci.sslcert);
  add('sslkey', ci.sslkey);
  add('sslcrl', ci.sslcrl);
  add('sslsni', ci.sslsni);
  add('ssl_min_protocol_version', ci.sslMinProtocolVersion);
  add('ssl_max_protocol_version', ci.sslMaxProtocolVersion);
  add('sslcompression', ci.sslcompression);
  add('gssencmode', ci.gssencmode);
  add('channel_binding', ci.channelBinding);
  add('target_session_attrs', ci.targetSessionAttrs);
  add('keepalives', ci.keepalives);
  add('keepalives_idle', ci.keepalivesIdleSeconds);
  add('keepalives_interval', ci.keepalivesIntervalSeconds);
  add('keepalives_count', ci.keepalivesCount);
  add('tcp_user_timeout', ci.tcpUserTimeoutMs);
  add('source_address', ci.sourceAddress);
  return parts.join(' ');
}

/** {@link formatConninfo} with the password replaced by `********`: safe for logs and errors. */
export function redactConninfo(ci: ConnInfo): string {
  return formatConninfo(ci.password === undefined ? ci : { ...ci, password: '********' });
}

/** libpq `pwdfMatchesString`: matches one .pgpass field (with `*` and `\` escapes); returns the rest or null. */
function pgpassField(line: string, pos: number, token: string): number | null {
  if (line[pos] === '*' && line[pos + 1] === ':') return pos + 2;
  let t = pos;
  let k = 0;
  let bslash = false;
  while (t < line.length) {
    if (line[t] === '\\' && !bslash) {
      t++;
      bslash = true;
    }
    if (line[t] === ':' && k === token.length && !bslash) return t + 1;
    bslash = false;
    if (k === token.length) return null;
    if (line[t] === token[k]) {
      t++;
      k++;
    } else {
      return null;
    }
  }
  return null;
}

/**
 * Looks a password up in a libpq password file (§34.16 "The Password File"):
 * lines `hostname:port:database:username:password`, `*` matches anything in the
 * first four fields, `\` escapes `:` and `\`, lines starting with `#` are
 * comments, the first matching line wins. A host that is empty or the default
 * socket directory matches `localhost` (libpq `passwordFromFile`).
 *
 * A file that is missing yields undefined. A file that is not a plain file, or
 * is readable or writable by group or others (any of mode 077), is ignored with
 * a warning through `warn`, as libpq does.
 *
 * @param lookup host (name, or hostaddr when no name), port, dbname and user of the connection.
 * @param warn receives the warning text; default: nothing.
 */
export function passwordFromPassfile(
  passfile: string,
  lookup: { host: string; port: number | string; dbname: string; user: string },
  warn: (message: string) => void = () => {},
): string | undefined {
  let host = lookup.host;
  if (host === '' || host === DEFAULT_SOCKET_DIR) host = 'localhost';
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(passfile);
  } catch {
    return undefined;
  }
  if (!st.isFile()) {
    warn(`password file "${passfile}" is not a plain file`);
    return undefined;
  }
  if ((Number(st.mode) & 0o077) !== 0) {
    warn(`password file "${passfile}" has group or world access; permissions should be u=rw (0600) or less`);
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(passfile, 'utf8');
  } catch {
    return undefined;
  }
  const port = String(lookup.port);
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    if (line.startsWith('#') || line === '') continue;
    let pos: number | null = 0;
    for (const token of [host, port, lookup.dbname, lookup.user]) {
      pos = pgpassField(line, pos, token);
      if (pos === null) break;
    }
    if (pos === null) continue;
    let pw = '';
    for (let i = pos; i < line.length && line[i] !== ':'; i++) {
      if (line[i] === '\\' && i + 1 < line.length) i++;
      pw += line[i];
    }
    return pw;
  }
  return undefined;
}
