/**
 * Key material for Pharos's PKI: ECDSA P-256 keys with SHA-256 signatures
 * through node's WebCrypto, PKCS#8 PEM private keys (accepted by PostgreSQL,
 * libpq, OpenSSL and node's tls), random positive serial numbers.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { x509 } from './x509.js';

/** Key algorithm of every Pharos key (NIST P-256). */
export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
/** Signature algorithm of every Pharos certificate, CSR and CRL (ECDSA with SHA-256). */
export const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

const subtle = webcrypto.subtle;

/** A new extractable P-256 key pair. */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** A private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await subtle.exportKey('pkcs8', key);
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}

/** Imports a PKCS#8 PEM P-256 private key for signing. @throws Error when the PEM is not such a key. */
export async function privateKeyFromPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('no PEM block in the private key text');
  return subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign']);
}

/** 16 random bytes as hex, first byte 0x01-0x7f: a positive DER INTEGER of fixed length (RFC 5280 §4.1.2.2). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

/** A subject/issuer name with only a common name. */
export function cnName(commonName: string): x509.JsonName {
  return [{ CN: [commonName] }];
}

/** `days` days after `from`, for notAfter / nextUpdate. */
export function daysAfter(from: Date, days: number): Date {
  return new Date(from.getTime() + days * 86_400_000);
}

/** PEM text of a certificate, with a trailing newline. */
export function certToPem(cert: x509.X509Certificate): string {
  return `${cert.toString('pem')}\n`;
}

/**
 * How far before "now" a new certificate's validity starts (5 minutes): a
 * certificate issued on one host and checked at once on another whose clock
 * is a little behind is not "not yet valid" (RFC 5280 §4.1.2.5 leaves
 * notBefore to the issuer; backdating by minutes is common CA practice).
 */
export const NOT_BEFORE_SKEW_MS = 5 * 60 * 1000;

/** The notBefore of a certificate issued at `now`: now minus {@link NOT_BEFORE_SKEW_MS}. */
export function notBeforeFor(now: Date): Date {
  return new Date(now.getTime() - NOT_BEFORE_SKEW_MS);
}
