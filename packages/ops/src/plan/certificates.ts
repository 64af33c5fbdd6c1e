/**
 * The certificates of a plan (docs/reference/pem-facts.md §7, issue 3): one CA; one server
 * certificate shared by the backends, SAN = every backend address +
 * 127.0.0.1 + localhost; one client certificate per agent (CN agentN, N =
 * 1..N in host order) or one for the common agent user; one HTTPS
 * certificate per web application (CN and SAN its address, SAN its name:
 * what `pharos check`'s web.certificate verifies); a CRL when asked.
 */
import { type CertifiedKey, createCa } from '@pharos/core/pki/ca';
import { issueCrl } from '@pharos/core/pki/crl';
import { issueClientCertificate, issueServerCertificate } from '@pharos/core/pki/issue';
import { agentHosts, agentUser } from '../topology/hosts.js';
import type { Topology } from '../topology/types.js';

export interface PlanCertificates {
  ca: CertifiedKey;
  server: CertifiedKey;
  /** Client certificates by database user (`agent1`..., or the common agent user); empty for built-in-ca. */
  clients: Map<string, CertifiedKey>;
  /** HTTPS certificate of each web application, by host name (SAN: its address and name). */
  web: Map<string, CertifiedKey>;
  /** An empty CRL signed by the CA, when the topology has `crl: true`. */
  crlPem?: string;
}

/** Subject alternative names of the backends' server certificate: addresses, then DNS names. */
export function serverCertificateNames(topo: Topology): { ipAddresses: string[]; dnsNames: string[] } {
  const ips = [...topo.backends.map((b) => b.address), '127.0.0.1'];
  return { ipAddresses: [...new Set(ips)], dnsNames: ['localhost'] };
}

/**
 * Issues every certificate the topology needs. Validity from
 * `certificates.ca_days` / `certificates.days`. With `agent_certificates:
 * built-in-ca` no client certificate is issued (registration issues them).
 */
export async function planCertificates(topo: Topology): Promise<PlanCertificates> {
  const days = topo.certificates.days;
  const ca = await createCa({ commonName: `Pharos CA ${topo.cluster}`, days: topo.certificates.ca_days });
  const server = await issueServerCertificate(ca, {
    commonName: topo.cluster,
    ...serverCertificateNames(topo),
    days,
  });
  const clients = new Map<string, CertifiedKey>();
  if (topo.agent_certificates !== 'built-in-ca') {
    for (const h of agentHosts(topo)) {
      const user = agentUser(topo, h.agentId);
      if (!clients.has(user)) clients.set(user, await issueClientCertificate(ca, { commonName: user, days }));
    }
  }
  const web = new Map<string, CertifiedKey>();
  for (const w of topo.webapps) {
    web.set(
      w.name,
      await issueServerCertificate(ca, {
        commonName: w.address,
        dnsNames: [w.name],
        ipAddresses: [w.address],
        days,
      }),
    );
  }
  const crlPem = topo.crl ? (await issueCrl(ca, [])).crlPem : undefined;
  return { ca, server, clients, web, ...(crlPem ? { crlPem } : {}) };
}
