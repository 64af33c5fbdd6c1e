/**
 * The connection parameters Pharos accepts (libpq 15's key words, minus those
 * it cannot honour safely, plus `source_address`), their `PG*` environment
 * variables (§34.15 "Environment Variables"), and storing one parsed
 * key/value with libpq's `conninfo_storeval` rules. Shared by the key=value
 * and URI parsers.
 */
import { pharosError } from '../errors/index.js';

/** Parsed parameters, key -> value as written (later keys override earlier ones). */
export type RawParams = Map<string, string>;

/** Keys libpq 15 knows that Pharos rejects, with the reason. */
export const UNSUPPORTED: Record<string, string> = {
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
export const KEYS: Record<string, string | null> = {
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
export const UNSUPPORTED_ENV: Record<string, string> = {
  PGSERVICE: 'service',
  PGSSLCRLDIR: 'sslcrldir',
  PGREQUIREPEER: 'requirepeer',
};

/**
 * Stores one parameter (libpq `conninfo_storeval`): `requiressl` becomes
 * `sslmode`; an unsupported key is refused with the reason, an unknown one as
 * libpq words it (`fromUri`: as a URI query parameter).
 * @throws InputError naming the key
 */
export function storeParam(raw: RawParams, key: string, value: string, fromUri: boolean): void {
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
