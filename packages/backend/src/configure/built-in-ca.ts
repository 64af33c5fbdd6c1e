/**
 * The built-in CA (docs/reference/pem-facts.md §7 "the product issues agent certificates at
 * registration"; the reference's sslutils, `--use-existing-sslutils`),
 * backend side of the registration.
 *
 * Design. The CA key sits on the backends, like sslutils' `ca_key.key`: a
 * file in every backend's data directory (default `ca_key.key` and
 * `ca_certificate.crt`, owned by the database's OS user, mode 0600), placed
 * there with `root.crt` and `server.crt` by the step that prepares the SSL
 * files. It never leaves those hosts and no database table holds it.
 * Registration, on any host:
 *
 *  1. the registering host makes a new key and a CSR for CN = the agent's
 *     database user; the key stays on that host (written 0600 after commit);
 *  2. in the registration's transaction, as the superuser, on the primary
 *     (reached with the multi-host string), Pharos runs
 *     `COPY pg_temp.pharos_signed (line) FROM PROGRAM '<signer> ...'`:
 *     PostgreSQL starts the signer on the primary's host as its OS user, in
 *     its data directory, so the signer reads the CA files there; it checks
 *     the CSR's signature and CN and prints the certificate (sign-csr.ts);
 *  3. the certificate is checked (CN, public key = ours) and recorded in
 *     pem.agent_certificate with the CSR, in the same transaction.
 *
 * Why this path: it needs nothing running besides PostgreSQL (no signing
 * daemon, no SECURITY DEFINER function holding the key), works from every
 * host through whichever node is primary (each has the CA files), and grants
 * nothing new: running a program through COPY already requires superuser
 * (or pg_execute_server_program), which configure's `-su` user is, exactly
 * the trust sslutils' functions require. The signer's argv is recorded once,
 * by the primary's configure with `--use-existing-sslutils`, in pem.ca_signer,
 * which only superusers can read or write (otherwise a writer could make the
 * next registering superuser run a program of its choosing). The signer must
 * be installed at the same path on every backend (the package is).
 */
import { pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import { type CertificateInfo, describeCertificate, keyMatchesCertificate } from './certificate-files.js';

/** The recorded built-in CA signer (a row of pem.ca_signer). */
export interface CaSigner {
  /** argv of the signer program (absolute paths), e.g. ['/usr/bin/node', '/usr/lib/pharos/bin/pharos.js', 'agent', 'sign-csr']. */
  program: string[];
  /** CA certificate and key files on each backend, relative to the data directory or absolute. */
  caCertFile: string;
  caKeyFile: string;
  /** Validity of issued certificates, days. */
  certDays: number;
}

/** Defaults of the CA files (sslutils' names) and of the validity. */
export const CA_SIGNER_DEFAULTS = {
  caCertFile: 'ca_certificate.crt',
  caKeyFile: 'ca_key.key',
  certDays: 365,
};

/** The prefix of the signer's line after the certificate (sign-csr.ts SIGNER_INFO_PREFIX). */
const SIGNER_INFO_LINE = 'pharos-cert-info: ';

/** The line prefix the signer uses for an error (it exits 0 so COPY passes the message on). */
export const SIGNER_ERROR_PREFIX = 'pharos-sign-error: ';

/** The recorded signer, or undefined when the built-in CA is not enabled. */
export async function caSignerOf(tx: Queryable): Promise<CaSigner | undefined> {
  const r = await tx.query<{
    program: string[];
    ca_cert_file: string;
    ca_key_file: string;
    cert_days: number;
  }>('SELECT program, ca_cert_file, ca_key_file, cert_days FROM pem.ca_signer');
  const row = r.rows[0];
  if (!row) return undefined;
  return {
    program: row.program,
    caCertFile: row.ca_cert_file,
    caKeyFile: row.ca_key_file,
    certDays: row.cert_days,
  };
}

/** Records (or updates) the signer. Resolves true when it changed anything. */
export async function ensureCaSigner(tx: Queryable, s: CaSigner): Promise<boolean> {
  const r = await tx.query(
    `INSERT INTO pem.ca_signer AS c (id, program, ca_cert_file, ca_key_file, cert_days) VALUES (true, $1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET program = excluded.program, ca_cert_file = excluded.ca_cert_file,
       ca_key_file = excluded.ca_key_file, cert_days = excluded.cert_days, enabled_at = now()
     WHERE (c.program, c.ca_cert_file, c.ca_key_file, c.cert_days) IS DISTINCT FROM
           (excluded.program, excluded.ca_cert_file, excluded.ca_key_file, excluded.cert_days)
     RETURNING 1`,
    [s.program, s.caCertFile, s.caKeyFile, s.certDays],
  );
  return r.rows.length > 0;
}

/** Single-quotes a word for /bin/sh. */
export function shellWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The shell command the primary runs to sign `csrPem` for CN `commonName`.
 * The CSR travels base64-encoded (it is public). @throws PharosError for a
 * CN that is not a plain role name (never reached: users are checked first).
 */
export function signCommand(s: CaSigner, commonName: string, csrPem: string): string {
  if (!/^[a-z_][a-z0-9_$]{0,62}$/.test(commonName)) {
    throw pharosError('PHAROS_CA_NAME_INVALID', { commonName });
  }
  const csr = Buffer.from(csrPem, 'utf8').toString('base64');
  const argv = [
    ...s.program,
    '--cn',
    commonName,
    '--days',
    String(s.certDays),
    '--ca-cert',
    s.caCertFile,
    '--ca-key',
    s.caKeyFile,
    '--csr',
    csr,
  ];
  return argv.map(shellWord).join(' ');
}

/** A string as an SQL literal (standard_conforming_strings on: only ' is special). */
function sqlLiteral(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * Has the primary sign `csrPem` (see the module note) and checks the
 * result: CN = `commonName`, public key = the one of `keyPem`.
 * @throws PharosError with the signer's message (e.g. an unreadable CA key,
 *   named), or when COPY cannot run the signer (e.g. not installed there).
 */
export async function issueThroughBackend(
  tx: Queryable,
  s: CaSigner,
  commonName: string,
  csrPem: string,
  keyPem: string,
): Promise<CertificateInfo> {
  await tx.query('DROP TABLE IF EXISTS pg_temp.pharos_signed');
  await tx.query('CREATE TEMP TABLE pharos_signed (n serial, line text) ON COMMIT DROP');
  const cmd = signCommand(s, commonName, csrPem);
  try {
    await tx.query(`COPY pg_temp.pharos_signed (line) FROM PROGRAM ${sqlLiteral(cmd)}`);
  } catch (err) {
    throw pharosError(
      'PHAROS_CA_SIGN_FAILED',
      { commonName, reason: (err as Error).message, program: s.program.join(' ') },
      { cause: err },
    );
  }
  const lines = (
    await tx.query<{ line: string | null }>('SELECT line FROM pg_temp.pharos_signed ORDER BY n')
  ).rows.map((r) => r.line ?? '');
  await tx.query('DROP TABLE pg_temp.pharos_signed');
  const failure = lines.find((l) => l.startsWith(SIGNER_ERROR_PREFIX));
  if (failure) {
    throw pharosError('PHAROS_CA_REFUSED', { reason: failure.slice(SIGNER_ERROR_PREFIX.length) });
  }
  // the signer's info line (sign-csr.ts) is for the enrolment function; the certificate is described here
  const pem = `${lines.filter((l) => !l.startsWith(SIGNER_INFO_LINE)).join('\n')}\n`;
  const info = describeCertificate(pem, 'the certificate the built-in CA returned');
  if (info.commonName !== commonName || !keyMatchesCertificate(keyPem, info.certPem)) {
    throw pharosError('PHAROS_CA_WRONG_CERTIFICATE', { commonName: info.commonName, requested: commonName });
  }
  return info;
}
