/**
 * The URI form of a connection string (§34.1.1.2 "Connection URIs"; libpq
 * `conninfo_uri_parse_options`, `conninfo_uri_parse_params`,
 * `conninfo_uri_decode`): `postgresql://[user[:password]@][host][:port][,...][/dbname][?param=value&...]`.
 */
import { pharosError } from '../errors/index.js';
import { type RawParams, storeParam } from './keywords.js';

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

/** Length of the `postgresql://` or `postgres://` prefix of `text`, 0 when it has none (then it is key=value). */
export function uriPrefixLength(text: string): number {
  if (text.startsWith('postgresql://')) return 'postgresql://'.length;
  if (text.startsWith('postgres://')) return 'postgres://'.length;
  return 0;
}

/**
 * Parses the URI form into `raw` (libpq `conninfo_uri_parse_options` +
 * `conninfo_uri_parse_params`); query parameters override the hierarchical part.
 * @throws InputError with libpq's wording for every URI syntax error, and for a key {@link storeParam} refuses
 */
export function parseUri(uri: string, raw: RawParams): void {
  const s = uri;
  let p = uriPrefixLength(s);
  const start = p;
  // Look ahead for possible user credentials designator.
  while (p < s.length && s[p] !== '@' && s[p] !== '/') p++;
  if (s[p] === '@') {
    let q = start;
    while (s[q] !== ':' && s[q] !== '@') q++;
    const user = s.slice(start, q);
    if (user) storeParam(raw, 'user', uriDecode(user), true);
    if (s[q] === ':') {
      const pwStart = q + 1;
      while (s[q] !== '@') q++;
      const password = s.slice(pwStart, q);
      if (password) storeParam(raw, 'password', uriDecode(password), true);
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
  if (hostList) storeParam(raw, 'host', uriDecode(hostList), true);
  if (portList) storeParam(raw, 'port', uriDecode(portList), true);
  if (prevchar !== undefined && prevchar !== '?') {
    const ds = ++p;
    while (p < s.length && s[p] !== '?') p++;
    prevchar = s[p];
    const dbname = s.slice(ds, p);
    // An empty dbname is not stored, so that PGDATABASE still applies (libpq).
    if (dbname) storeParam(raw, 'dbname', uriDecode(dbname), true);
  }
  if (prevchar !== undefined) {
    p++;
    parseUriParams(s.slice(p), raw);
  }
}

/** The query part: `key=value` pairs separated by `&`, percent-decoded; `ssl=true` means `sslmode=require` (JDBC). */
function parseUriParams(params: string, raw: RawParams): void {
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
    storeParam(raw, k, v, true);
  }
}
