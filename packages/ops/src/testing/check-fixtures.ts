/**
 * Test fixtures of the check's unit tests: the reference SM topology on
 * 10.0.0.X addresses, and certificates with chosen validity periods
 * (issued through @pharos/core/pki, so they look exactly like the
 * deployment's own).
 */
import { createCa, loadCa } from '@pharos/core/pki/ca';
import {
  certToPem,
  cnName,
  generateKeyPair,
  privateKeyToPem,
  randomSerial,
  SIGNING_ALGORITHM,
} from '@pharos/core/pki/keys';
import { x509 } from '@pharos/core/pki/x509';
import type { Topology } from '../topology/types.js';
import { validateTopology } from '../topology/validate.js';

/** The SM topology of docs/topology.md on 10.0.0.X: etcd .11-.13, backends .20-.22, web apps .31-.33. */
export function testTopology(overrides: Record<string, unknown> = {}): Topology {
  return validateTopology(
    {
      architecture: 'SM',
      cluster: 'pem',
      postgres: { version: 15 },
      etcd: [1, 2, 3].map((i) => ({ name: `etcd-node-${i}`, address: `10.0.0.1${i}` })),
      backends: [1, 2, 3].map((i) => ({ name: `pem-backend-${i}`, address: `10.0.0.2${i - 1}` })),
      webapps: [1, 2, 3].map((i) => ({ name: `pem-web-${i}`, address: `10.0.0.3${i}` })),
      ...overrides,
    },
    'test topology',
  );
}

/** A CA as PEM, made once per call. */
export function testCa(): Promise<{ certPem: string; keyPem: string }> {
  return createCa({ commonName: 'Pharos test CA', days: 3650 });
}

/**
 * A leaf certificate signed by `ca`, valid from `notBefore` to `notAfter`
 * (either may be in the past: an expired certificate made for a test), with
 * EKU serverAuth or clientAuth and the given SAN IP addresses.
 */
export async function certificateBetween(
  ca: { certPem: string; keyPem: string },
  opts: {
    commonName: string;
    notBefore: Date;
    notAfter: Date;
    usage: 'server' | 'client';
    ipAddresses?: string[];
  },
): Promise<{ certPem: string; keyPem: string }> {
  const loaded = await loadCa(ca);
  const keys = await generateKeyPair();
  const names = (opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: cnName(opts.commonName),
    issuer: loaded.cert.subjectName,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    publicKey: keys.publicKey,
    signingKey: loaded.signingKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([
        opts.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.AuthorityKeyIdentifierExtension(loaded.keyId),
      ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
    ],
  });
  return { certPem: certToPem(cert), keyPem: await privateKeyToPem(keys.privateKey) };
}

/** `days` days before (negative: after) `from`. */
export function daysBefore(from: Date, days: number): Date {
  return new Date(from.getTime() - days * 86_400_000);
}
