/**
 * The certificates of a plan (docs/reference/pem-facts.md §7, issue 3): one CA; one server
 * certificate shared by the backends, SAN = every backend address +
 * 127.0.0.1 + localhost; one client certificate per agent (CN agentN, N =
 * 1..N in host order) or one for the common agent user; one HTTPS
 * certificate per web application (CN and SAN its address, SAN its name:
 * what `pharos check`'s web.certificate verifies); a CRL when asked.
 * Secured topologies (render/infrastructure.ts) add, from the same CA: one
 * certificate per etcd member, one per backend for Patroni, one etcd client
 * certificate per web application and one for the operator.
 */
import { type CertifiedKey, createCa } from '@pharos/core/pki/ca';
import { issueCrl } from '@pharos/core/pki/crl';
import { issueClientCertificate, issuePeerCertificate, issueServerCertificate } from '@pharos/core/pki/issue';
import { ETCD_MEMBER_CN, isSecured } from '../render/infrastructure.js';
import { agentHosts, agentUser } from '../topology/hosts.js';
import type { Topology, TopologyHost } from '../topology/types.js';

/** The etcd and Patroni certificates of a secured topology, by host name. */
export interface InfrastructureCertificates {
  /** Per etcd member: CN etcd-member, serverAuth + clientAuth (clients and peers). */
  etcdMembers: Map<string, CertifiedKey>;
  /** Per backend: Patroni's REST API certificate, also its etcd client certificate (no CN). */
  patroni: Map<string, CertifiedKey>;
  /** Per web application: its etcd client certificate (no CN; the overview reads /health). */
  etcdClients: Map<string, CertifiedKey>;
  /** The operator's etcd client certificate (no CN): `pharos check`, etcdctl. */
  operator: CertifiedKey;
}

export interface PlanCertificates {
  ca: CertifiedKey;
  server: CertifiedKey;
  /** Client certificates by database user (`agent1`..., or the common agent user); empty for built-in-ca. */
  clients: Map<string, CertifiedKey>;
  /** HTTPS certificate of each web application, by host name (SAN: its address and name). */
  web: Map<string, CertifiedKey>;
  /** An empty CRL signed by the CA, when the topology has `crl: true`. */
  crlPem?: string;
  /** Present when the topology is secured. */
  infrastructure?: InfrastructureCertificates;
}

/** Subject alternative names of the backends' server certificate: addresses, then DNS names. */
export function serverCertificateNames(topo: Topology): { ipAddresses: string[]; dnsNames: string[] } {
  const ips = [...topo.backends.map((b) => b.address), '127.0.0.1'];
  return { ipAddresses: [...new Set(ips)], dnsNames: ['localhost'] };
}

/**
 * Subject alternative names of an etcd member's certificate: its address and
 * name, and 127.0.0.1 / localhost (a real member also listens on
 * localhost:2379, as in the reference).
 */
export function etcdMemberNames(member: TopologyHost): { ipAddresses: string[]; dnsNames: string[] } {
  return { ipAddresses: [...new Set([member.address, '127.0.0.1'])], dnsNames: [member.name, 'localhost'] };
}

/** Subject alternative names of a backend's Patroni certificate: its address and name. */
export function patroniCertificateNames(backend: TopologyHost): {
  ipAddresses: string[];
  dnsNames: string[];
} {
  return { ipAddresses: [backend.address], dnsNames: [backend.name] };
}

/**
 * Issues the etcd and Patroni certificates of a secured topology from `ca`
 * ({@link InfrastructureCertificates}); validity `certificates.days`.
 */
export async function infrastructureCertificates(
  topo: Topology,
  ca: { certPem: string; keyPem: string },
): Promise<InfrastructureCertificates> {
  const days = topo.certificates.days;
  const etcdMembers = new Map<string, CertifiedKey>();
  for (const m of topo.etcd) {
    etcdMembers.set(
      m.name,
      await issuePeerCertificate(ca, { commonName: ETCD_MEMBER_CN, ...etcdMemberNames(m), days }),
    );
  }
  const patroni = new Map<string, CertifiedKey>();
  for (const b of topo.backends) {
    patroni.set(
      b.name,
      await issuePeerCertificate(ca, {
        commonName: '',
        unit: `patroni ${b.name}`,
        ...patroniCertificateNames(b),
        days,
      }),
    );
  }
  const etcdClients = new Map<string, CertifiedKey>();
  for (const w of topo.webapps) {
    etcdClients.set(
      w.name,
      await issueClientCertificate(ca, { commonName: '', unit: `pharos-web ${w.name}`, days }),
    );
  }
  const operator = await issueClientCertificate(ca, { commonName: '', unit: 'pharos operator', days });
  return { etcdMembers, patroni, etcdClients, operator };
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
  const infrastructure = isSecured(topo) ? await infrastructureCertificates(topo, ca) : undefined;
  return {
    ca,
    server,
    clients,
    web,
    ...(crlPem ? { crlPem } : {}),
    ...(infrastructure ? { infrastructure } : {}),
  };
}
