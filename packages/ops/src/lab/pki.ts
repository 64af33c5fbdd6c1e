/**
 * The lab's certificates, made with the same PKI code `pharos plan` uses
 * (@pharos/core/pki): one CA; one server certificate for the backends whose
 * SAN names every backend address plus 127.0.0.1 and localhost (so
 * verify-full works whichever host a client dials); one client certificate
 * per agent (CN = agentN, its database user); one server certificate per
 * web host. Private keys are written mode 0600. Kept across `lab up` runs
 * in the same directory (made once).
 *
 * A secured topology (render/infrastructure.ts) also gets, from the same
 * CA and as `pharos plan` issues them (plan/certificates.ts): each etcd
 * member's certificate (`<host>/pki/etcd.crt`), each backend's Patroni
 * certificate (`<host>/pki/patroni.crt`, owned by postgres), each web
 * host's etcd client certificate (`<host>/pharos/etcd-client.crt`) and the
 * operator's (`pki/etcd-client.crt`: lab status, tests, `pharos check`).
 */
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createCa } from '@pharos/core/pki/ca';
import { writeCertFile, writeKeyFile } from '@pharos/core/pki/files';
import { issueClientCertificate, issuePeerCertificate, issueServerCertificate } from '@pharos/core/pki/issue';
import { etcdMemberNames, patroniCertificateNames } from '../plan/certificates.js';
import { ETCD_CLIENT_FILES } from '../render/configure.js';
import { ETCD_MEMBER_CN, etcdTlsFiles, isSecured, patroniTlsFiles } from '../render/infrastructure.js';
import { agentHosts, agentUser } from '../topology/hosts.js';
import type { Topology } from '../topology/types.js';
import { postgresUser } from './backend-sql.js';
import type { LabLayout } from './layout.js';

/** A certificate and its key, as files. */
export interface CertFiles {
  certFile: string;
  keyFile: string;
}

/** The lab's certificate files. */
export interface LabPki {
  caFile: string;
  server: CertFiles;
  agentCert(agentId: number): CertFiles;
  webCert(host: string): CertFiles;
  /** The operator's etcd client certificate (secured topologies only). */
  etcdClient?: CertFiles;
}

/** Creates (once) and returns the lab's certificates. */
export async function createLabPki(ctx: {
  topo: Topology;
  layout: LabLayout;
  binDir: string;
}): Promise<LabPki> {
  const dir = ctx.layout.pkiDir;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const caFile = join(dir, 'ca.crt');
  const caKeyFile = join(dir, 'ca.key');
  const days = ctx.topo.certificates.days;
  if (!existsSync(caFile) || !existsSync(caKeyFile)) {
    const ca = await createCa({
      commonName: `Pharos lab CA (${ctx.topo.cluster})`,
      days: ctx.topo.certificates.ca_days,
    });
    await writeKeyFile(caKeyFile, ca.keyPem);
    await writeCertFile(caFile, ca.certPem);
  }
  const ca = { certPem: readFileSync(caFile, 'utf8'), keyPem: readFileSync(caKeyFile, 'utf8') };
  const make = async (files: CertFiles, issue: () => Promise<{ certPem: string; keyPem: string }>) => {
    if (existsSync(files.certFile) && existsSync(files.keyFile)) return;
    const c = await issue();
    await writeKeyFile(files.keyFile, c.keyPem);
    await writeCertFile(files.certFile, c.certPem);
  };
  const server = { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
  await make(server, () =>
    issueServerCertificate(ca, {
      commonName: ctx.topo.backends[0]!.address,
      dnsNames: ['localhost'],
      ipAddresses: [...ctx.topo.backends.map((b) => b.address), '127.0.0.1'],
      days,
    }),
  );
  const agentFiles = new Map<number, CertFiles>();
  for (const h of agentHosts(ctx.topo)) {
    const d = ctx.layout.pharosDir(h.name);
    mkdirSync(d, { recursive: true, mode: 0o750 });
    const user = agentUser(ctx.topo, h.agentId);
    // Named <user>.crt/.key, where configureCommandLine's --use-agent-sslcert/--use-agent-sslkey point.
    const files = { certFile: join(d, `${user}.crt`), keyFile: join(d, `${user}.key`) };
    await make(files, () => issueClientCertificate(ca, { commonName: user, days }));
    agentFiles.set(h.agentId, files);
  }
  const webFiles = new Map<string, CertFiles>();
  for (const w of ctx.topo.webapps) {
    const d = ctx.layout.pharosDir(w.name);
    const files = { certFile: join(d, 'web.crt'), keyFile: join(d, 'web.key') };
    await make(files, () =>
      issueServerCertificate(ca, {
        commonName: w.address,
        dnsNames: [w.name],
        ipAddresses: [w.address],
        days,
      }),
    );
    webFiles.set(w.name, files);
  }
  let etcdClient: CertFiles | undefined;
  if (isSecured(ctx.topo)) {
    const site = ctx.layout.site(ctx.binDir);
    for (const m of ctx.topo.etcd) {
      const tls = etcdTlsFiles(m.name, site);
      mkdirSync(dirname(tls.cert), { recursive: true, mode: 0o700 });
      await make({ certFile: tls.cert, keyFile: tls.key }, () =>
        issuePeerCertificate(ca, { commonName: ETCD_MEMBER_CN, ...etcdMemberNames(m), days }),
      );
    }
    const pg = postgresUser();
    for (const b of ctx.topo.backends) {
      const tls = patroniTlsFiles(b.name, site);
      mkdirSync(dirname(tls.cert), { recursive: true, mode: 0o700 });
      await make({ certFile: tls.cert, keyFile: tls.key }, () =>
        issuePeerCertificate(ca, {
          commonName: '',
          unit: `patroni ${b.name}`,
          ...patroniCertificateNames(b),
          days,
        }),
      );
      // Patroni runs as postgres: its directory and key are postgres's, as on a real host.
      if (pg) for (const f of [dirname(tls.cert), tls.cert, tls.key]) chownSync(f, pg.uid, pg.gid);
    }
    for (const w of ctx.topo.webapps) {
      const d = ctx.layout.pharosDir(w.name);
      await make({ certFile: join(d, ETCD_CLIENT_FILES.cert), keyFile: join(d, ETCD_CLIENT_FILES.key) }, () =>
        issueClientCertificate(ca, { commonName: '', unit: `pharos-web ${w.name}`, days }),
      );
    }
    etcdClient = { certFile: join(dir, 'etcd-client.crt'), keyFile: join(dir, 'etcd-client.key') };
    await make(etcdClient, () =>
      issueClientCertificate(ca, { commonName: '', unit: 'pharos operator', days }),
    );
  }
  return {
    caFile,
    server,
    agentCert: (id) => agentFiles.get(id)!,
    webCert: (host) => webFiles.get(host)!,
    ...(etcdClient ? { etcdClient } : {}),
  };
}

/**
 * Places root.crt, server.crt and server.key in a backend's data directory,
 * owned by postgres, mode 0600 (docs/reference/pem-facts.md §7), as the reference's
 * "Generating SSL files for HA PEM backend hosts" step does.
 */
export function placeServerFiles(pki: LabPki, dataDir: string): void {
  const pg = postgresUser();
  const files: [string, string][] = [
    [pki.caFile, 'root.crt'],
    [pki.server.certFile, 'server.crt'],
    [pki.server.keyFile, 'server.key'],
  ];
  for (const [from, name] of files) {
    const to = join(dataDir, name);
    copyFileSync(from, to);
    chmodSync(to, 0o600);
    if (pg) chownSync(to, pg.uid, pg.gid);
  }
}

/**
 * Issues (once) a certificate signed by the lab's CA into `dir` as
 * `<name>.crt`/`<name>.key` (key 0600): a server certificate naming
 * `addresses` (the lab fleet's PostgreSQL servers: verify-full checks the
 * address); a client certificate with CN `name` (an enrolled agent's
 * operator-supplied certificate, per-agent or common-user model); or a
 * `patroni` certificate as the backends' Patroni gets one (no CN,
 * `OU=patroni <name>`, serverAuth + clientAuth, naming `addresses`: the
 * fleet cluster's REST API certificate and its etcd client certificate,
 * see render/infrastructure.ts for why etcd gateway clients carry no CN).
 * The lab's CA must exist (createLabPki first).
 */
export async function issueLabCertificate(
  layout: LabLayout,
  dir: string,
  name: string,
  kind: { server: string[] } | { patroni: string[] } | 'client',
  days = 825,
): Promise<CertFiles> {
  const ca = {
    certPem: readFileSync(join(layout.pkiDir, 'ca.crt'), 'utf8'),
    keyPem: readFileSync(join(layout.pkiDir, 'ca.key'), 'utf8'),
  };
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const files = { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
  if (existsSync(files.certFile) && existsSync(files.keyFile)) return files;
  const c =
    kind === 'client'
      ? await issueClientCertificate(ca, { commonName: name, days })
      : 'patroni' in kind
        ? await issuePeerCertificate(ca, {
            commonName: '',
            unit: `patroni ${name}`,
            dnsNames: [],
            ipAddresses: kind.patroni,
            days,
          })
        : await issueServerCertificate(ca, {
            commonName: kind.server[0]!,
            dnsNames: [],
            ipAddresses: kind.server,
            days,
          });
  await writeKeyFile(files.keyFile, c.keyPem);
  await writeCertFile(files.certFile, c.certPem);
  return files;
}
