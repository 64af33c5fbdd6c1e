/**
 * End-entity certificates signed by the deployment's CA: the backends'
 * server certificate (`server.crt`) and the agents' client certificates (CN =
 * database user, for `hostssl ... cert`, docs/reference/pem-facts.md §2 and §7).
 */
import { isIP } from 'node:net';
import { pharosError } from '../errors/index.js';
import { type CertifiedKey, type LoadedCa, loadCa } from './ca.js';
import {
  certToPem,
  cnName,
  daysAfter,
  generateKeyPair,
  notBeforeFor,
  privateKeyToPem,
  randomSerial,
  SIGNING_ALGORITHM,
} from './keys.js';
import { x509 } from './x509.js';

/** The CA as PEM (certificate and key), as createCa returns it. */
export interface CaPem {
  certPem: string;
  keyPem: string;
}

/** What a leaf certificate is for: TLS server (serverAuth) or TLS client (clientAuth). */
export type LeafUsage = 'server' | 'client';

export interface LeafRequest {
  commonName: string;
  publicKey: CryptoKey | x509.PublicKey;
  days: number;
  usage: LeafUsage;
  dnsNames?: string[];
  ipAddresses?: string[];
}

/**
 * Signs a leaf certificate: subject `CN=<commonName>`, issuer the CA,
 * BasicConstraints cA=false, KeyUsage digitalSignature (critical), EKU
 * serverAuth or clientAuth, SKI, AKI = the CA's key id, and a SAN with the
 * given DNS names and IP addresses (when any).
 * @throws InputError for an IP address that is not one.
 */
export async function signLeaf(
  ca: LoadedCa,
  req: LeafRequest,
): Promise<{ certPem: string; serialNumber: string }> {
  for (const ip of req.ipAddresses ?? []) {
    if (isIP(ip) === 0)
      throw pharosError('PHAROS_PKI_IP_ADDRESS_INVALID', { address: ip, commonName: req.commonName });
  }
  const names: x509.JsonGeneralName[] = [
    ...(req.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(req.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const now = new Date();
  const serialNumber = randomSerial();
  const usage = req.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: cnName(req.commonName),
    issuer: ca.cert.subjectName,
    notBefore: notBeforeFor(now),
    notAfter: daysAfter(now, req.days),
    publicKey: req.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([usage]),
      await x509.SubjectKeyIdentifierExtension.create(req.publicKey),
      new x509.AuthorityKeyIdentifierExtension(ca.keyId),
      ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
    ],
  });
  return { certPem: certToPem(cert), serialNumber };
}

async function issueWithNewKey(ca: CaPem, req: Omit<LeafRequest, 'publicKey'>): Promise<CertifiedKey> {
  const loaded = await loadCa(ca);
  const keys = await generateKeyPair();
  const { certPem, serialNumber } = await signLeaf(loaded, { ...req, publicKey: keys.publicKey });
  return { certPem, keyPem: await privateKeyToPem(keys.privateKey), serialNumber };
}

/**
 * A server certificate with a new P-256 key: CN `commonName`, EKU
 * serverAuth, SAN = `dnsNames` (DNS) + `ipAddresses` (IP). For the PEM
 * backends the SAN lists every backend address plus 127.0.0.1 and localhost,
 * so verify-full works whichever backend a multi-host string reaches
 * (docs/reference/pem-facts.md §7). Valid `days` days from now.
 */
export async function issueServerCertificate(
  ca: CaPem,
  opts: { commonName: string; dnsNames: string[]; ipAddresses: string[]; days: number },
): Promise<CertifiedKey> {
  return issueWithNewKey(ca, { ...opts, usage: 'server' });
}

/**
 * A client certificate with a new P-256 key: CN = the database user
 * (`agentN` or the common agent user), EKU clientAuth, no SAN. PostgreSQL's
 * `cert` method compares the CN with the user name (docs/reference/pem-facts.md §2).
 */
export async function issueClientCertificate(
  ca: CaPem,
  opts: { commonName: string; days: number },
): Promise<CertifiedKey> {
  return issueWithNewKey(ca, { ...opts, usage: 'client' });
}
