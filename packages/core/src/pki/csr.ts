/**
 * Certificate signing requests: an agent host keeps its key and sends a CSR;
 * the CA signs it as a client certificate when the CN is the expected user.
 */

import { pharosError } from '../errors/index.js';
import { loadCa } from './ca.js';
import type { CaPem } from './issue.js';
import { signLeaf } from './issue.js';
import { cnName, generateKeyPair, privateKeyToPem, SIGNING_ALGORITHM } from './keys.js';
import { x509 } from './x509.js';

/**
 * The CN of an enrolment's CSR (`pharos agent enrol`): the host does not
 * know its agent id yet, so it asks with this placeholder and the CA
 * assigns the CN (the backend's choice, agentN); the CSR still proves that
 * the host holds the key. Any other CN must be the one expected.
 */
export const ENROLMENT_CSR_CN = 'pharos-enrolment';

/** A new P-256 key and a PKCS#10 CSR (PEM) for `CN=<commonName>`, signed with that key (SHA-256). */
export async function createCsr(opts: { commonName: string }): Promise<{ csrPem: string; keyPem: string }> {
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: cnName(opts.commonName),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
  });
  return { csrPem: `${csr.toString('pem')}\n`, keyPem: await privateKeyToPem(keys.privateKey) };
}

/** The CN of a certificate or CSR subject, or undefined. */
function commonNameOf(name: x509.Name): string | undefined {
  return name.getField('CN')[0];
}

/**
 * Signs a CSR as a client certificate (EKU clientAuth) valid `days` days.
 * The CSR's own signature must verify and its CN must equal
 * `expectedCommonName` (the database user the certificate will log in as),
 * or be {@link ENROLMENT_CSR_CN} (the certificate then gets
 * `expectedCommonName`); requested extensions are ignored.
 * @throws InputError when the CSR does not parse, its signature is wrong, or
 *   its CN differs (message names both CNs).
 */
export async function signCsr(
  ca: CaPem,
  csrPem: string,
  opts: { expectedCommonName: string; days: number },
): Promise<{ certPem: string; serialNumber: string }> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch (err) {
    throw pharosError('PHAROS_PKI_CSR_INVALID', {}, { cause: err });
  }
  if (!(await csr.verify())) throw pharosError('PHAROS_PKI_CSR_SIGNATURE_INVALID');
  const cn = commonNameOf(csr.subjectName);
  if (cn !== opts.expectedCommonName && cn !== ENROLMENT_CSR_CN) {
    throw pharosError('PHAROS_PKI_CSR_WRONG_NAME', {
      commonName: cn ?? '',
      expected: opts.expectedCommonName,
    });
  }
  return signLeaf(await loadCa(ca), {
    commonName: opts.expectedCommonName,
    publicKey: csr.publicKey,
    days: opts.days,
    usage: 'client',
  });
}
