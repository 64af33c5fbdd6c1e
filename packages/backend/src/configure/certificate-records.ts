/**
 * pem.agent_certificate: every client certificate an agent is registered
 * with (operator-supplied or issued by the built-in CA), so the backend knows
 * which certificate each agent holds, when it expires, and what to revoke.
 */
import type { Queryable } from '@pharos/core/query';
import type { CertificateInfo } from './certificate-files.js';

/** Where a certificate came from. */
export type CertificateSource = 'supplied' | 'built-in-ca';

/** True when agent `agentId` has this certificate recorded and not revoked. */
export async function isCertificateRecorded(
  tx: Queryable,
  agentId: number,
  fingerprint: string,
): Promise<boolean> {
  const r = await tx.query(
    'SELECT 1 FROM pem.agent_certificate WHERE agent_id = $1 AND fingerprint_sha256 = $2 AND revoked_at IS NULL',
    [agentId, fingerprint],
  );
  return r.rows.length > 0;
}

/**
 * Records `cert` for agent `agentId` unless it is already recorded (a
 * revoked record is revived: the operator registers that certificate again).
 * A newly recorded certificate supersedes the agent's others: they are
 * marked revoked (the agent's configuration now names the new one).
 * Resolves true when it wrote anything.
 */
export async function recordCertificate(
  tx: Queryable,
  agentId: number,
  cert: CertificateInfo,
  source: CertificateSource,
  csrPem?: string,
): Promise<boolean> {
  const r = await tx.query(
    `INSERT INTO pem.agent_certificate AS c (agent_id, fingerprint_sha256, common_name, serial_number, issuer,
        not_before, not_after, source, csr_pem, cert_pem)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (agent_id, fingerprint_sha256) DO UPDATE SET revoked_at = NULL, registered_at = now()
     WHERE c.revoked_at IS NOT NULL
     RETURNING 1`,
    [
      agentId,
      cert.fingerprintSha256,
      cert.commonName ?? '',
      cert.serialNumber,
      cert.issuer,
      cert.notBefore,
      cert.notAfter,
      source,
      csrPem ?? null,
      cert.certPem,
    ],
  );
  if (r.rows.length === 0) return false;
  await tx.query(
    'UPDATE pem.agent_certificate SET revoked_at = now() WHERE agent_id = $1 AND fingerprint_sha256 <> $2 AND revoked_at IS NULL',
    [agentId, cert.fingerprintSha256],
  );
  return true;
}
