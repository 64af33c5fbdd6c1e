/**
 * `pharos plan`: every per-host artefact of a deployment from one validated
 * topology (issue 3). Uses the same renderers as the lab.
 */
import { configureCommandLine, DEFAULT_CERT_DIR } from '../render/configure.js';
import { renderDynamicConfigYml, SSL_FILES } from '../render/dynamic-config.js';
import { renderEtcdConf } from '../render/etcd.js';
import { firewallCommands } from '../render/firewall.js';
import { renderPatroniYml } from '../render/patroni.js';
import { generatePatroniSecrets, type PatroniSecrets, patroniUsersSql } from '../render/patroni-users.js';
import { agentHosts, agentUser, allHosts } from '../topology/hosts.js';
import type { Topology } from '../topology/types.js';
import { type PlanCertificates, planCertificates } from './certificates.js';
import { renderRunbook } from './runbook.js';
import type { Plan, PlanFile, PlanHost } from './types.js';

export interface BuildPlanOptions {
  /** Passwords of the Patroni users; random (32 characters each) when absent. */
  secrets?: PatroniSecrets;
}

const PUBLIC = 0o644;
const SECRET = 0o600;
const SCRIPT = 0o755;

function file(path: string, content: string, mode: number, description: string): PlanFile {
  return { path, content, mode, secret: mode === SECRET, description };
}

function script(lines: string[], comment: string): string {
  return ['#!/bin/sh', `# ${comment}`, 'set -eu', ...lines].join('\n').concat('\n');
}

function hostFiles(
  topo: Topology,
  host: PlanHost,
  secrets: PatroniSecrets,
  certs: PlanCertificates,
): PlanFile[] {
  const dir = host.name;
  const dataDir = topo.postgres.data_dir;
  const files: PlanFile[] = [];
  if (host.roles.includes('etcd')) {
    files.push(file(`${dir}/etcd.conf`, renderEtcdConf(topo, host.name), PUBLIC, '/etc/etcd/etcd.conf'));
  }
  if (host.roles.includes('backend')) {
    files.push(
      file(
        `${dir}/patroni.yml`,
        renderPatroniYml(topo, host.name, secrets),
        SECRET,
        '/etc/patroni/patroni.yml, owner postgres (holds the Patroni passwords)',
      ),
    );
    if (topo.backends[0]?.name === host.name) {
      files.push(
        file(
          `${dir}/patroni-users.sql`,
          patroniUsersSql(secrets),
          SECRET,
          'run once as a superuser on this (the first) backend before Patroni starts',
        ),
      );
    }
    files.push(
      file(
        `${dir}/dynamic-config.yml`,
        renderDynamicConfigYml(topo),
        PUBLIC,
        'apply once, on any backend: patronictl -c /etc/patroni/patroni.yml edit-config --apply dynamic-config.yml',
      ),
      file(
        `${dir}/${SSL_FILES.ca}`,
        certs.ca.certPem,
        PUBLIC,
        `${dataDir}/${SSL_FILES.ca}, owner postgres, 0600`,
      ),
      file(
        `${dir}/${SSL_FILES.cert}`,
        certs.server.certPem,
        PUBLIC,
        `${dataDir}/${SSL_FILES.cert}, owner postgres, 0600`,
      ),
      file(
        `${dir}/${SSL_FILES.key}`,
        certs.server.keyPem,
        SECRET,
        `${dataDir}/${SSL_FILES.key}, owner postgres, 0600`,
      ),
    );
    if (certs.crlPem) {
      files.push(
        file(
          `${dir}/${SSL_FILES.crl}`,
          certs.crlPem,
          PUBLIC,
          `${dataDir}/${SSL_FILES.crl}, owner postgres, 0600`,
        ),
      );
    }
  }
  if (host.agentUser !== undefined) {
    if (!host.roles.includes('backend')) {
      files.push(
        file(`${dir}/${SSL_FILES.ca}`, certs.ca.certPem, PUBLIC, `${DEFAULT_CERT_DIR}/${SSL_FILES.ca}`),
      );
    }
    const client = certs.clients.get(host.agentUser);
    if (client) {
      const u = host.agentUser;
      files.push(
        file(
          `${dir}/${u}.crt`,
          client.certPem,
          PUBLIC,
          `${DEFAULT_CERT_DIR}/${u}.crt (agent client certificate, CN ${u})`,
        ),
        file(`${dir}/${u}.key`, client.keyPem, SECRET, `${DEFAULT_CERT_DIR}/${u}.key, 0600`),
      );
    }
    const cmd = configureCommandLine(topo, host.name);
    files.push(
      file(
        `${dir}/configure.sh`,
        script(
          [cmd.script.trimEnd()],
          `configure step of ${host.name}; run after the steps before it in RUNBOOK.md`,
        ),
        SCRIPT,
        'run on the host (see RUNBOOK.md for the order)',
      ),
    );
  }
  files.push(
    file(
      `${dir}/firewall.sh`,
      script(firewallCommands(topo, host.name), `firewalld ports of ${host.name}`),
      SCRIPT,
      'run on the host as root',
    ),
  );
  return files;
}

/**
 * Builds the plan of `topo` (already validated: loadTopology /
 * validateTopology): per host under `<host name>/` its etcd.conf (etcd
 * members); patroni.yml, dynamic-config.yml, root.crt, server.crt,
 * server.key (0600), root.crl when `crl` is set, and patroni-users.sql on the
 * first backend (backends); agentN.crt/.key (or the common agent user's),
 * root.crt and configure.sh (agent hosts); firewall.sh (all). Then `ca/`
 * (root.crt, root.key 0600, root.crl) and RUNBOOK.md. Certificates are new
 * on every call (a fresh CA).
 */
export async function buildPlan(topo: Topology, opts: BuildPlanOptions = {}): Promise<Plan> {
  const secrets = opts.secrets ?? generatePatroniSecrets();
  const certs = await planCertificates(topo);
  const agents = new Map(agentHosts(topo).map((a) => [a.name, a.agentId]));
  const hosts: PlanHost[] = allHosts(topo).map((h) => {
    const agentId = agents.get(h.name);
    return agentId === undefined ? h : { ...h, agentId, agentUser: agentUser(topo, agentId) };
  });
  const files = hosts.flatMap((h) => hostFiles(topo, h, secrets, certs));
  files.push(
    file(`ca/${SSL_FILES.ca}`, certs.ca.certPem, PUBLIC, 'the CA certificate'),
    file('ca/root.key', certs.ca.keyPem, SECRET, 'the CA private key: keep offline, never copy to a host'),
  );
  if (certs.crlPem) files.push(file(`ca/${SSL_FILES.crl}`, certs.crlPem, PUBLIC, 'the current CRL'));
  files.push(file('RUNBOOK.md', renderRunbook(topo, hosts), PUBLIC, 'the ordered steps for the operator'));
  return { topology: topo, hosts, files };
}
