/**
 * TLS material of a connection (PostgreSQL documentation §34.19 "SSL
 * Support"): the files named by `sslrootcert`, `sslcert`, `sslkey` and
 * `sslcrl` (or libpq's defaults under `~/.postgresql/`), read and checked once
 * when the connection is made, failing closed with a {@link ConfigError}
 * naming the file; and the Node TLS options for one host. The only I/O here
 * is reading those files.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ConnectionOptions, checkServerIdentity, createSecureContext } from 'node:tls';
import type { ConnInfo } from '../conninfo/types.js';
import { messageOf, pharosError } from '../errors/index.js';

/** What {@link loadTls} read: the PEM buffers and how the server certificate is verified. */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  crl?: Buffer;
  verify: 'none' | 'ca' | 'full';
}

function readRequired(path: string, what: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw pharosError(
      'PHAROS_TLS_FILE_UNREADABLE',
      { what, path, key, reason: messageOf(err) },
      { cause: err },
    );
  }
}

function readOptional(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** libpq's private key permission rule (fe-secure-openssl.c, initialize_SSL). */
function checkKeyPermissions(path: string): void {
  const st = statSync(path);
  const mode = Number(st.mode);
  const uid = typeof process.geteuid === 'function' ? process.geteuid() : -1;
  if ((st.uid === uid && (mode & 0o077) !== 0) || (st.uid === 0 && (mode & 0o037) !== 0)) {
    throw pharosError('PHAROS_TLS_KEY_PERMISSIONS', { path });
  }
}

/**
 * Loads and validates the TLS files of `ci` once (fail closed), with libpq's
 * defaults under `<home>/.postgresql/`. Returns undefined for sslmode=disable
 * (no file is read then, as libpq).
 * @throws ConfigError naming the file: missing, unreadable, not PEM, a private
 *   key with group or world access (libpq's rule), or material Node refuses.
 */
export function loadTls(ci: ConnInfo, home: string): TlsMaterial | undefined {
  if (ci.sslmode === 'disable') return undefined;
  const dir = join(home, '.postgresql');
  const m: TlsMaterial = { verify: 'none' };
  if (ci.sslrootcert !== undefined) {
    m.ca = readRequired(ci.sslrootcert, 'root certificate', 'sslrootcert');
  } else {
    const def = join(dir, 'root.crt');
    m.ca = readOptional(def);
    if (!m.ca && (ci.sslmode === 'verify-ca' || ci.sslmode === 'verify-full')) {
      throw pharosError('PHAROS_TLS_ROOT_CERT_MISSING', { path: def });
    }
  }
  if (ci.sslmode === 'verify-full') m.verify = 'full';
  else if (m.ca) m.verify = 'ca';
  const certPath = ci.sslcert ?? join(dir, 'postgresql.crt');
  const cert =
    ci.sslcert !== undefined
      ? readRequired(certPath, 'client certificate', 'sslcert')
      : readOptional(certPath);
  if (cert) {
    const keyPath = ci.sslkey ?? join(dir, 'postgresql.key');
    m.key = readRequired(keyPath, 'private key', 'sslkey');
    checkKeyPermissions(keyPath);
    m.cert = cert;
  } else if (ci.sslkey !== undefined) {
    readRequired(ci.sslkey, 'private key', 'sslkey');
  }
  if (ci.sslcrl !== undefined) m.crl = readRequired(ci.sslcrl, 'certificate revocation list', 'sslcrl');
  else m.crl = readOptional(join(dir, 'root.crl'));
  const check = (
    buf: Buffer | undefined,
    path: string | undefined,
    key: string,
    what: string,
    pem: RegExp,
  ) => {
    if (!buf) return;
    const blocks = buf.toString('latin1').match(pem) ?? [];
    try {
      if (blocks.length === 0) throw new Error(`no PEM ${what} in it`);
      if (key !== 'sslcrl') for (const b of blocks) new X509Certificate(b);
    } catch (err) {
      throw pharosError(
        'PHAROS_TLS_FILE_UNUSABLE',
        { what, path: String(path), key, reason: messageOf(err) },
        { cause: err },
      );
    }
  };
  const CERT_PEM = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;
  check(m.ca, ci.sslrootcert ?? join(dir, 'root.crt'), 'sslrootcert', 'root certificate', CERT_PEM);
  check(m.cert, certPath, 'sslcert', 'client certificate', CERT_PEM);
  check(
    m.crl,
    ci.sslcrl ?? join(dir, 'root.crl'),
    'sslcrl',
    'certificate revocation list',
    /-----BEGIN X509 CRL-----/g,
  );
  if (m.key) {
    try {
      createPrivateKey(m.key);
    } catch (err) {
      throw pharosError(
        'PHAROS_TLS_FILE_UNUSABLE',
        {
          what: 'private key',
          path: ci.sslkey ?? join(dir, 'postgresql.key'),
          key: 'sslkey',
          reason: messageOf(err),
        },
        { cause: err },
      );
    }
  }
  try {
    createSecureContext({ ca: m.ca, cert: m.cert, key: m.key, crl: m.crl });
  } catch (err) {
    const files = [ci.sslrootcert, ci.sslcert, ci.sslkey, ci.sslcrl]
      .filter((f) => f !== undefined)
      .join(', ');
    throw pharosError(
      'PHAROS_TLS_FILES_UNUSABLE',
      { files: files || '~/.postgresql defaults', reason: messageOf(err) },
      { cause: err },
    );
  }
  return m;
}

/**
 * Node TLS options for dialling the host named `name` (host name, or IP
 * address) with the material `m`: verification per sslmode (`verify-full`
 * checks `name` against the certificate), protocol bounds from `ci`.
 */
export function tlsConnectionOptions(m: TlsMaterial, name: string, ci: ConnInfo): ConnectionOptions {
  const opts: ConnectionOptions = {
    rejectUnauthorized: m.verify !== 'none',
    minVersion: (ci.sslMinProtocolVersion ?? 'TLSv1.2') as ConnectionOptions['minVersion'],
    checkServerIdentity:
      m.verify === 'full' ? (_host: string, cert) => checkServerIdentity(name, cert) : () => undefined,
  };
  if (ci.sslMaxProtocolVersion) opts.maxVersion = ci.sslMaxProtocolVersion as ConnectionOptions['maxVersion'];
  if (m.ca) opts.ca = m.ca;
  if (m.cert) opts.cert = m.cert;
  if (m.key) opts.key = m.key;
  if (m.crl) opts.crl = m.crl;
  return opts;
}
