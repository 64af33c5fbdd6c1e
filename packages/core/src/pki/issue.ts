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

/**
 * What a leaf certificate is for: TLS server (serverAuth), TLS client
 * (clientAuth), or both (`peer`: an etcd member's certificate serves clients
 * and peers and dials its peers; Patroni's serves its REST API and is its
 * etcd client certificate).
 */
export type LeafUsage = 'server' | 'client' | 'peer';

const EXTENDED_KEY_USAGES: Record<LeafUsage, string[]> = {
  server: [x509.ExtendedKeyUsage.serverAuth],
  client: [x509.ExtendedKeyUsage.clientAuth],
  peer: [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
};

export interface LeafRequest {
  /**
   * Subject CN. Empty: the subject is `O=Pharos, OU=<unit>` with no CN (an
   * etcd member's certificate: etcd's gRPC gateway dials its own server
   * with it, and etcd refuses gateway requests whose certificate has a CN
   * once authentication is enabled; etcd v3.5 auth/store.go AuthInfoFromTLS).
   */
  commonName: string;
  /** OU of a subject without CN (see commonName). */
  unit?: string;
  publicKey: CryptoKey | x509.PublicKey;
  days: number;
  usage: LeafUsage;
  dnsNames?: string[];
  ipAddresses?: string[];
}

/**
 * Signs a leaf certificate: subject `CN=<commonName>`, issuer the CA,
 * BasicConstraints cA=false, KeyUsage digitalSignature (critical), EKU
 * serverAuth, clientAuth or both (see {@link LeafUsage}), SKI, AKI = the CA's key id, and a SAN with the
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
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject:
      req.commonName === '' ? [{ O: ['Pharos'] }, { OU: [req.unit ?? 'Pharos'] }] : cnName(req.commonName),
    issuer: ca.cert.subjectName,
    notBefore: notBeforeFor(now),
    notAfter: daysAfter(now, req.days),
    publicKey: req.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(EXTENDED_KEY_USAGES[req.usage]),
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
 * A certificate for both ends of TLS with a new P-256 key: CN `commonName`
 * (or, when empty, `O=Pharos, OU=<unit>`), EKU serverAuth + clientAuth, SAN = `dnsNames` + `ipAddresses`. For etcd
 * members (etcd's peer connections present the member's certificate as
 * server and as client; etcd docs, "Transport security model") and for
 * Patroni (the REST API's server certificate, also its etcd client
 * certificate). Valid `days` days from now.
 */
export async function issuePeerCertificate(
  ca: CaPem,
  opts: { commonName: string; unit?: string; dnsNames: string[]; ipAddresses: string[]; days: number },
): Promise<CertifiedKey> {
  return issueWithNewKey(ca, { ...opts, usage: 'peer' });
}

/**
 * A client certificate with a new P-256 key: CN = the database user
 * (`agentN` or the common agent user), EKU clientAuth, no SAN. PostgreSQL's
 * `cert` method compares the CN with the user name (docs/reference/pem-facts.md §2). An
 * empty `commonName` gives `O=Pharos, OU=<unit>` (an etcd gateway client,
 * see {@link LeafRequest}).
 */
export async function issueClientCertificate(
  ca: CaPem,
  opts: { commonName: string; unit?: string; days: number },
): Promise<CertifiedKey> {
  return issueWithNewKey(ca, { ...opts, usage: 'client' });
}
