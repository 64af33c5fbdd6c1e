/**
 * A resolved connection string written back as key=value text that parses to
 * the same value, and its redacted form for logs.
 */
import type { ConnInfo } from './types.js';

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
