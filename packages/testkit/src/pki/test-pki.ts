/**
 * Test support: a throw-away CA and certificates made with the `openssl` CLI
 * (EC P-256): a server certificate for the backend's addresses and one for
 * the web instances' addresses, each naming its IP addresses in
 * subjectAltName (what verify-full and the browser check). Keys are mode 0600.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Paths of the files {@link makeTestPki} wrote. */
export interface TestPki {
  caCert: string;
  caKey: string;
  /** Issues a server certificate for `addresses` (IPs); returns its cert and key paths. */
  issue(name: string, addresses: string[]): { cert: string; key: string };
  /** Issues a client certificate with CN `commonName` (e.g. an agent's user, agent7) into `<name>.crt/.key`. */
  issueClient(name: string, commonName: string): { cert: string; key: string };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Creates a CA in `dir` (ca.crt, ca.key), valid two days. @throws Error with openssl's stderr. */
export function makeTestPki(dir: string): TestPki {
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      caKey,
      '-out',
      caCert,
      '-days',
      '2',
      '-subj',
      '/CN=Pharos web test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  chmodSync(caKey, 0o600);
  /** Signs a fresh P-256 key for `subject` with `extensions` (openssl extfile lines). */
  const sign = (name: string, subject: string, extensions: string[]) => {
    const key = join(dir, `${name}.key`);
    const csr = join(dir, `${name}.csr`);
    const cert = join(dir, `${name}.crt`);
    const ext = join(dir, `${name}.ext`);
    writeFileSync(ext, extensions.join('\n'));
    openssl(
      [
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        csr,
        '-subj',
        subject,
      ],
      dir,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        caCert,
        '-CAkey',
        caKey,
        '-CAcreateserial',
        '-out',
        cert,
        '-days',
        '2',
        '-extfile',
        ext,
      ],
      dir,
    );
    chmodSync(key, 0o600);
    return { cert, key };
  };
  return {
    caCert,
    caKey,
    issue: (name, addresses) =>
      sign(name, `/CN=${addresses[0]}`, [
        `subjectAltName=${addresses.map((a) => `IP:${a}`).join(',')}`,
        'extendedKeyUsage=serverAuth',
        'keyUsage=critical,digitalSignature',
        'basicConstraints=critical,CA:FALSE',
      ]),
    issueClient: (name, commonName) =>
      sign(name, `/CN=${commonName}`, [
        'extendedKeyUsage=clientAuth',
        'keyUsage=critical,digitalSignature',
        'basicConstraints=critical,CA:FALSE',
      ]),
  };
}
