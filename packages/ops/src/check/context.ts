/**
 * Everything a run of `pharos check` needs to know besides the live
 * deployment: the topology, the deployment's CA, how to log in to the
 * backends, where the hosts' Pharos configuration files can be read, and
 * the limits (timeouts, expiry warning, heartbeat age). Built from the
 * command's options and the environment by {@link buildCheckContext}.
 */
import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { messageOf, pharosError } from '@pharos/core/errors';
import type { EtcdAccess, PatroniAccess } from '../lab/access.js';
import { labLayout } from '../lab/layout.js';
import type { LabSecrets } from '../lab/secrets.js';
import { readState } from '../lab/state.js';
import { isSecured } from '../render/infrastructure.js';
import { PATRONI_USERS } from '../render/patroni-users.js';
import { loadTopology } from '../topology/load.js';
import type { Topology } from '../topology/types.js';
import { DEFAULT_EXPIRY_WARNING_DAYS, parseCertificate } from './certificate.js';
import { type ConfigSource, configSource } from './config-files.js';

/** Default timeout of every request and connection, milliseconds. */
export const DEFAULT_TIMEOUT_MS = 5000;
/** Default: an agent whose last heartbeat is older than this many seconds failed. */
export const DEFAULT_HEARTBEAT_MAX_AGE_S = 60;

/** How the check logs in to the backends' PostgreSQL servers. */
export interface SqlAccess {
  user: string;
  /** Environment for the connection: PGPASSWORD, PGPASSFILE, HOME... (libpq rules). */
  env: Record<string, string | undefined>;
  sslmode: string;
  sslrootcert: string;
  /** Where the credentials came from, for messages ("patroni_super from <lab>/secrets.json"). */
  origin: string;
}

/** Options of `pharos check` (all optional but one of topologyFile / labDir). */
export interface CheckOptions {
  topologyFile?: string;
  /** A lab directory: topology (lab.json), CA (pki/ca.crt), credentials (secrets.json), configuration files. */
  labDir?: string;
  /** A directory with each host's Pharos configuration files: DIR/<host>/agent.yml, DIR/<host>/web.yml. */
  configDir?: string;
  /** The deployment's CA certificate (PEM); default PGSSLROOTCERT. */
  caFile?: string;
  /** An etcd client certificate and key (PEM), for a secured etcd; default in a lab: its pki/etcd-client.*. */
  etcdCertFile?: string;
  etcdKeyFile?: string;
  /** Database user for the checks' SQL; default PGUSER, else the topology's pem.superuser. */
  user?: string;
  timeoutMs?: number;
  expiryWarningDays?: number;
  heartbeatMaxAgeS?: number;
  /** Environment (default process.env): PHAROS_SUPERPASSWORD, PG* variables. */
  env?: Record<string, string | undefined>;
}

/** The resolved inputs of a run. */
export interface CheckContext {
  topo: Topology;
  topologyFile: string;
  ca: X509Certificate;
  caPem: string;
  caFile: string;
  /** How to reach Patroni's REST API (GETs only: https with the CA when secured). */
  patroni: PatroniAccess;
  /** How to reach etcd (https, the CA and the client certificate when secured; no user: no key is read). */
  etcd: EtcdAccess;
  sql: SqlAccess;
  configs: ConfigSource;
  timeoutMs: number;
  expiryWarningDays: number;
  heartbeatMaxAgeS: number;
  /** The clock (tests may fix it). */
  now: () => Date;
}

function readCa(path: string, origin: string): { pem: string; cert: X509Certificate } {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw pharosError('PHAROS_CHECK_CA_UNREADABLE', { path, origin, reason: messageOf(err) });
  }
  try {
    return { pem, cert: parseCertificate(pem) };
  } catch (err) {
    throw pharosError('PHAROS_CHECK_CA_NOT_PEM', { path, origin, reason: messageOf(err) });
  }
}

function readPem(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw pharosError('PHAROS_CLI_FILE_UNREADABLE', { flag, path, reason: messageOf(err) });
  }
}

/**
 * The access to Patroni and etcd: plain HTTP for the reference's open
 * setup; for a secured topology https with the CA, and for etcd the client
 * certificate of `--etcd-cert`/`--etcd-key` (a lab's `pki/etcd-client.*` by
 * default). @throws InputError when a secured topology has no etcd certificate.
 */
function accessOf(
  topo: Topology,
  caPem: string,
  options: CheckOptions,
  labDir: string | undefined,
): { patroni: PatroniAccess; etcd: EtcdAccess } {
  if (!isSecured(topo)) return { patroni: { port: topo.patroni.rest_port }, etcd: {} };
  const pki = labDir === undefined ? undefined : labLayout(labDir).pkiDir;
  const certFile = options.etcdCertFile ?? (pki ? join(pki, 'etcd-client.crt') : undefined);
  const keyFile = options.etcdKeyFile ?? (pki ? join(pki, 'etcd-client.key') : undefined);
  if (certFile === undefined || keyFile === undefined) {
    throw pharosError('PHAROS_CHECK_ETCD_CERT_MISSING');
  }
  return {
    patroni: { port: topo.patroni.rest_port, ca: caPem },
    etcd: { ca: caPem, cert: readPem('--etcd-cert', certFile), key: readPem('--etcd-key', keyFile) },
  };
}

function readLabSecrets(dir: string): LabSecrets {
  const path = join(dir, 'secrets.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LabSecrets;
  } catch (err) {
    throw pharosError('PHAROS_CHECK_LAB_SECRETS_UNREADABLE', { path, reason: messageOf(err) });
  }
}

function positive(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v <= 0) throw pharosError('PHAROS_CLI_NOT_POSITIVE', { flag: name, value: v });
  return v;
}

/**
 * Resolves the options into a context.
 *
 * - Topology: `topologyFile`, else the lab's (lab.json `topologyFile`).
 * - CA: `caFile`, else `<labDir>/pki/ca.crt`, else PGSSLROOTCERT.
 * - SQL: in a lab, Patroni's superuser `patroni_super` with the password
 *   from `<labDir>/secrets.json` (its HBA rule admits it from 127.0.0.1,
 *   where a loopback connection comes from); otherwise `user` / PGUSER /
 *   the topology's `pem.superuser`, password PHAROS_SUPERPASSWORD, else
 *   PGPASSWORD, else the password file (PGPASSFILE, ~/.pgpass). sslmode
 *   PGSSLMODE, default verify-full, with the CA as sslrootcert.
 * - Configuration files: the lab's `<host>/pharos/`, else `configDir`,
 *   else /etc/pharos/ for a host whose address is on this machine.
 * - Patroni and etcd (a secured topology): https with the CA; etcd's
 *   client certificate from `etcdCertFile`/`etcdKeyFile`, else the lab's
 *   `pki/etcd-client.crt`/`.key`.
 *
 * @throws InputError (exit code 2) for a missing topology or CA, an
 *   unreadable file, a non-positive limit, or a secured topology without
 *   an etcd client certificate.
 */
export function buildCheckContext(options: CheckOptions): CheckContext {
  const env = options.env ?? process.env;
  const labDir = options.labDir === undefined ? undefined : resolve(options.labDir);
  let topologyFile = options.topologyFile;
  if (topologyFile === undefined && labDir !== undefined) {
    const state = readState(labDir);
    if (!state) throw pharosError('PHAROS_CHECK_NO_LAB', { dir: labDir });
    topologyFile = state.topologyFile;
  }
  if (topologyFile === undefined) throw pharosError('PHAROS_CHECK_TOPOLOGY_MISSING');
  const topo = loadTopology(topologyFile, labDir === undefined ? 'deployment' : 'lab');

  const caPath =
    options.caFile ?? (labDir !== undefined ? join(labLayout(labDir).pkiDir, 'ca.crt') : env.PGSSLROOTCERT);
  if (caPath === undefined) {
    throw pharosError('PHAROS_CHECK_CA_MISSING');
  }
  const caOrigin = options.caFile !== undefined ? '--ca' : labDir !== undefined ? 'the lab' : 'PGSSLROOTCERT';
  const ca = readCa(caPath, caOrigin);

  const sslmode = env.PGSSLMODE ?? 'verify-full';
  let sql: SqlAccess;
  if (labDir !== undefined && options.user === undefined) {
    const secrets = readLabSecrets(labDir);
    sql = {
      user: PATRONI_USERS.superuser,
      env: { ...env, PGPASSWORD: secrets.patroni_super },
      sslmode,
      sslrootcert: caPath,
      origin: `${PATRONI_USERS.superuser} from ${join(labDir, 'secrets.json')}`,
    };
  } else {
    const user = options.user ?? env.PGUSER ?? topo.pem.superuser;
    const password = env.PHAROS_SUPERPASSWORD ?? env.PGPASSWORD;
    sql = {
      user,
      env: password === undefined ? { ...env } : { ...env, PGPASSWORD: password },
      sslmode,
      sslrootcert: caPath,
      origin: `${user} (password from ${env.PHAROS_SUPERPASSWORD !== undefined ? 'PHAROS_SUPERPASSWORD' : env.PGPASSWORD !== undefined ? 'PGPASSWORD' : 'the password file'})`,
    };
  }

  return {
    topo,
    topologyFile: resolve(topologyFile),
    ca: ca.cert,
    caPem: ca.pem,
    caFile: resolve(caPath),
    sql,
    configs: configSource({ labDir, configDir: options.configDir }),
    timeoutMs: positive('--timeout', options.timeoutMs, DEFAULT_TIMEOUT_MS),
    expiryWarningDays: positive(
      '--expiry-warning-days',
      options.expiryWarningDays,
      DEFAULT_EXPIRY_WARNING_DAYS,
    ),
    heartbeatMaxAgeS: positive('--heartbeat-max-age', options.heartbeatMaxAgeS, DEFAULT_HEARTBEAT_MAX_AGE_S),
    now: () => new Date(),
    ...accessOf(topo, ca.pem, options, labDir),
  };
}
