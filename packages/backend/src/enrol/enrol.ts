/**
 * Enrolment of a new host's agent (issue 14, docs/monitoring-a-server.md):
 * what `POST /api/enrol` does with a request from `pharos agent enrol`. The
 * token is the credential; `pem.enrol_agent` (sql/functions/registration/,
 * SECURITY DEFINER, owned by the installing superuser) checks it, creates the
 * agent's user and row, has the built-in CA sign the host's CSR (or records
 * the host's own certificate), and marks the token used, in one statement.
 * Here the request is checked for what SQL cannot read: a supplied
 * certificate is parsed (X.509) into the facts the backend records.
 */

import { isIP } from 'node:net';
import { messageOf, pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import { describeCertificate } from '../configure/certificate-files.js';
import { withFleetErrors } from '../fleet/sql-errors.js';

/** What the host sends. Exactly one of `csr` (built-in CA) and `certificate` (its own). */
export interface EnrolRequest {
  token: string;
  displayName: string;
  /** The host's address, as the fleet lists it (and the `prepare` HBA line uses). */
  hostAddress?: string;
  /** PEM certificate signing request for CN agentN (the key stays on the host). */
  csr?: string;
  /** PEM certificate of the per-agent (CN agentN) or common-user (CN = agentUser) model. */
  certificate?: string;
  /** The common agent user, with `certificate`. */
  agentUser?: string;
}

/** What the host gets back. */
export interface EnrolResult {
  agentId: number;
  agentUser: string;
  /** PEM: issued by the built-in CA, or the supplied one. */
  certificate: string;
  certificateSource: 'built-in-ca' | 'supplied';
  deploymentId: string;
}

/**
 * Enrols the agent of `req` (see the module note); `source` is the
 * requester's address (recorded with the token's use).
 * @throws PHAROS_ENROL_INVALID, _TOKEN_REFUSED (400) or _CONFLICT (409)
 *   naming the field (token, displayName, hostAddress, csr, certificate,
 *   agentUser); PHAROS_ENROL_NOT_POSSIBLE when the built-in CA is needed but
 *   not enabled or refuses. Nothing is written then.
 */
export async function enrolAgent(db: Queryable, req: EnrolRequest, source?: string): Promise<EnrolResult> {
  if (req.hostAddress !== undefined && isIP(req.hostAddress) === 0) {
    throw pharosError(
      'PHAROS_ENROL_INVALID',
      { detail: `hostAddress: '${req.hostAddress}' is not an IP address` },
      { field: 'hostAddress' },
    );
  }
  if ((req.csr === undefined) === (req.certificate === undefined)) {
    throw pharosError(
      'PHAROS_ENROL_INVALID',
      {
        detail:
          'csr: give either a certificate signing request (the built-in CA signs it) or the host’s certificate, not both or neither',
      },
      { field: 'csr' },
    );
  }
  if (
    req.csr !== undefined &&
    !/^-----BEGIN CERTIFICATE REQUEST-----[\s\S]+-----END CERTIFICATE REQUEST-----\s*$/.test(req.csr)
  ) {
    throw pharosError(
      'PHAROS_ENROL_INVALID',
      { detail: 'csr: not a PEM certificate signing request' },
      { field: 'csr' },
    );
  }
  let facts: Record<string, unknown> | null = null;
  if (req.certificate !== undefined) {
    try {
      const c = describeCertificate(req.certificate, 'certificate');
      facts = {
        fingerprintSha256: c.fingerprintSha256,
        commonName: c.commonName ?? null,
        serialNumber: c.serialNumber,
        issuer: c.issuer,
        notBefore: c.notBefore.toISOString(),
        notAfter: c.notAfter.toISOString(),
      };
    } catch (err) {
      throw pharosError(
        'PHAROS_ENROL_INVALID',
        { detail: `certificate: ${messageOf(err)}` },
        { field: 'certificate', cause: err },
      );
    }
  }
  return withFleetErrors('enrol', async () => {
    const r = await db.query<{
      agent_id: number;
      user_name: string;
      cert_pem: string;
      certificate_source: 'built-in-ca' | 'supplied';
      deployment_id: string;
    }>('SELECT * FROM pem.enrol_agent($1, $2, $3, $4, $5, $6::jsonb, $7, $8)', [
      req.token,
      req.displayName,
      req.hostAddress ?? null,
      req.csr ?? null,
      req.certificate ?? null,
      facts === null ? null : JSON.stringify(facts),
      req.agentUser ?? null,
      source && isIP(source) !== 0 ? source : null,
    ]);
    const row = r.rows[0]!;
    return {
      agentId: row.agent_id,
      agentUser: row.user_name,
      certificate: row.cert_pem,
      certificateSource: row.certificate_source,
      deploymentId: row.deployment_id,
    };
  });
}
