/**
 * The certificate authority of a deployment: one CA signs the backends'
 * server certificate and every agent's client certificate, and is the
 * backends' `root.crt` (docs/reference/pem-facts.md §7: in HA the same CA must sign agent
 * certificates for every backend node).
 */

import { pharosError } from '../errors/index.js';
import {
  certToPem,
  cnName,
  daysAfter,
  generateKeyPair,
  notBeforeFor,
  privateKeyFromPem,
  privateKeyToPem,
  randomSerial,
  SIGNING_ALGORITHM,
} from './keys.js';
import { x509 } from './x509.js';

/** A certificate with its private key, both PEM; the serial number as hex. */
export interface CertifiedKey {
  certPem: string;
  keyPem: string;
  serialNumber: string;
}

/** A CA loaded for signing: its certificate, signing key and key identifier. */
export interface LoadedCa {
  cert: x509.X509Certificate;
  signingKey: CryptoKey;
  /** Hex SubjectKeyIdentifier of the CA, for AuthorityKeyIdentifier of what it signs. */
  keyId: string;
}

/**
 * Creates a self-signed CA: P-256 key, SHA-256, subject `CN=<commonName>`,
 * valid from now for `days` days; BasicConstraints cA=true pathLen=0
 * (critical), KeyUsage keyCertSign + cRLSign (critical), SubjectKeyIdentifier.
 * Returns PEM certificate, PKCS#8 PEM key and serial.
 */
export async function createCa(opts: { commonName: string; days: number }): Promise<CertifiedKey> {
  const keys = await generateKeyPair();
  const now = new Date();
  const serialNumber = randomSerial();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber,
    name: cnName(opts.commonName),
    notBefore: notBeforeFor(now),
    notAfter: daysAfter(now, opts.days),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: certToPem(cert), keyPem: await privateKeyToPem(keys.privateKey), serialNumber };
}

/**
 * Loads a CA from its PEM certificate and key for signing.
 * @throws InputError when the certificate is not a CA or the key does not parse.
 */
export async function loadCa(ca: { certPem: string; keyPem: string }): Promise<LoadedCa> {
  const cert = new x509.X509Certificate(ca.certPem);
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  if (!bc?.ca) throw pharosError('PHAROS_PKI_NOT_A_CA', { subject: cert.subject });
  let signingKey: CryptoKey;
  try {
    signingKey = await privateKeyFromPem(ca.keyPem);
  } catch (err) {
    throw pharosError('PHAROS_PKI_CA_KEY_INVALID', { subject: cert.subject }, { cause: err });
  }
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  const keyId = ski ? ski.keyId : (await x509.SubjectKeyIdentifierExtension.create(cert.publicKey)).keyId;
  return { cert, signingKey, keyId };
}
