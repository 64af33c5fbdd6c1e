/**
 * `pharos plan`: every per-host artefact of a deployment from one validated
 * topology (issue 3). Uses the same renderers as the lab.
 */

import { ansibleFiles, type DeploySecrets, generateDeploySecrets } from '../deploy/ansible.js';
import {
  configureCommandLine,
  DEFAULT_CERT_DIR,
  ETCD_CLIENT_FILES,
  shellQuote,
  WEB_CERT_FILES,
} from '../render/configure.js';
import { renderDynamicConfigYml, SSL_FILES } from '../render/dynamic-config.js';
import { renderEtcdConf } from '../render/etcd.js';
import { etcdAuthScript } from '../render/etcd-auth.js';
import { firewallCommands } from '../render/firewall.js';
import {
  ETCD_AUTH_SCRIPT_DEST,
  etcdTlsFiles,
  generateInfrastructureSecrets,
  type InfrastructureSecrets,
  patroniTlsFiles,
} from '../render/infrastructure.js';
import { renderPatroniYml } from '../render/patroni.js';
import { generatePatroniSecrets, type PatroniSecrets, patroniUsersSql } from '../render/patroni-users.js';
import { agentHosts, agentUser, allHosts, sharesLoopback } from '../topology/hosts.js';
import type { Topology } from '../topology/types.js';
import { type PlanCertificates, planCertificates } from './certificates.js';
import { renderRunbook } from './runbook.js';
import type { InstallPhase, Plan, PlanFile, PlanHost, PlanInstall } from './types.js';

/** Every password a plan writes besides the playbook's: the Patroni database users' and the infrastructure users'. */
export type PlanSecrets = PatroniSecrets & InfrastructureSecrets;

export interface BuildPlanOptions {
  /**
   * Passwords of the Patroni users and of the REST API and etcd users
   * (render/infrastructure.ts); random (32 characters each) for any absent.
   */
  secrets?: PatroniSecrets & Partial<InfrastructureSecrets>;
  /** Passwords the playbook sets (installing superuser, monitoring and web service roles); random when absent. */
  deploySecrets?: DeploySecrets;
}

const PUBLIC = 0o644;
const SECRET = 0o600;
const SCRIPT = 0o755;
/** A script that holds passwords (etcd-auth.sh). */
const SECRET_SCRIPT = 0o700;

function file(
  path: string,
  content: string,
  mode: number,
  description: string,
  install?: PlanInstall[],
): PlanFile {
  return {
    path,
    content,
    mode,
    secret: mode === SECRET || mode === SECRET_SCRIPT,
    description,
    ...(install ? { install } : {}),
  };
}

function script(lines: string[], comment: string): string {
  return ['#!/bin/sh', `# ${comment}`, 'set -eu', ...lines].join('\n').concat('\n');
}

/** A destination on the host (see PlanInstall). */
function to(dest: string, owner: string, mode: number, phase: InstallPhase, group = owner): PlanInstall {
  return { dest, owner, group, mode, phase };
}

/** Where the playbook keeps a host's copy of its firewall script (run when firewalld runs). */
export const FIREWALL_SCRIPT_DEST = '/usr/local/sbin/pharos-firewall';
/** Where the playbook keeps a host's configure step (run with the superuser's password in the environment). */
export const CONFIGURE_SCRIPT_DEST = '/etc/pharos/configure.sh';

/**
 * The configure step as a script: the command line of
 * {@link configureCommandLine} followed by `"$@"` (the playbook adds
 * `--replication-role primary|standby` for the node's current role, which
 * wins over the planned one: commander keeps an option's last value). When
 * the hosts share one machine's loopback (sharesLoopback) the script first
 * exports the host's name and address (docs/lab.md "How one machine stands
 * in for nine hosts").
 */
function configureScript(topo: Topology, host: PlanHost): string {
  const cmd = configureCommandLine(topo, host.name);
  const env = sharesLoopback(topo)
    ? [
        "# the hosts share one machine's loopback: this host is its own address (docs/topology.md)",
        `export PHAROS_HOST_NAME=${shellQuote(host.name)} PHAROS_HOST_ADDRESS=${shellQuote(host.address)}`,
      ]
    : [];
  return script(
    [...env, `${cmd.script.trimEnd()} \\\n  "$@"`],
    `configure step of ${host.name}; run after the steps before it in RUNBOOK.md`,
  );
}

/**
 * The files of a secured topology's host (render/infrastructure.ts), with
 * where the playbook puts them: an etcd member's certificate and key
 * (/etc/etcd/pki, owner etcd) and, on the first member, etcd-auth.sh (etcd
 * users and roles, 0700: it holds their passwords); a backend's Patroni
 * certificate and key (/etc/patroni/pki, owner postgres); a web
 * application's etcd client certificate and key (/etc/pharos/certs, owner
 * pharos). `hostFiles` is the host's other files: its root.crt gains the
 * etcd and Patroni destinations (an etcd-only host gets one).
 */
function securedHostFiles(
  topo: Topology,
  host: PlanHost,
  secrets: PlanSecrets,
  certs: PlanCertificates,
  hostFiles: PlanFile[],
): PlanFile[] {
  const infra = certs.infrastructure;
  if (!infra) return [];
  const dir = host.name;
  const files: PlanFile[] = [];
  const caDests: PlanInstall[] = [];
  const member = infra.etcdMembers.get(host.name);
  if (member) {
    const tls = etcdTlsFiles(host.name);
    caDests.push(to(tls.ca, 'etcd', PUBLIC, 'etcd'));
    files.push(
      file(`${dir}/etcd.crt`, member.certPem, PUBLIC, `${tls.cert}, owner etcd (member certificate)`, [
        to(tls.cert, 'etcd', PUBLIC, 'etcd'),
      ]),
      file(`${dir}/etcd.key`, member.keyPem, SECRET, `${tls.key}, owner etcd, 0600`, [
        to(tls.key, 'etcd', SECRET, 'etcd'),
      ]),
    );
    if (topo.etcd[0]?.name === host.name) {
      files.push(
        file(
          `${dir}/etcd-auth.sh`,
          etcdAuthScript(topo, host.name, secrets),
          SECRET_SCRIPT,
          'run once on this (the first) etcd member when every member is healthy: etcd users, roles, auth enable (holds the etcd passwords)',
          [to(ETCD_AUTH_SCRIPT_DEST, 'root', SECRET_SCRIPT, 'etcd')],
        ),
      );
    }
  }
  const patroni = infra.patroni.get(host.name);
  if (patroni) {
    const tls = patroniTlsFiles(host.name);
    caDests.push(to(tls.ca, 'postgres', PUBLIC, 'patroni'));
    files.push(
      file(
        `${dir}/patroni.crt`,
        patroni.certPem,
        PUBLIC,
        `${tls.cert}, owner postgres (REST API certificate and etcd client certificate)`,
        [to(tls.cert, 'postgres', PUBLIC, 'patroni')],
      ),
      file(`${dir}/patroni.key`, patroni.keyPem, SECRET, `${tls.key}, owner postgres, 0600`, [
        to(tls.key, 'postgres', SECRET, 'patroni'),
      ]),
    );
  }
  const etcdClient = infra.etcdClients.get(host.name);
  if (etcdClient) {
    const cert = `${DEFAULT_CERT_DIR}/${ETCD_CLIENT_FILES.cert}`;
    const key = `${DEFAULT_CERT_DIR}/${ETCD_CLIENT_FILES.key}`;
    files.push(
      file(
        `${dir}/${ETCD_CLIENT_FILES.cert}`,
        etcdClient.certPem,
        PUBLIC,
        `${cert} (the web's etcd client certificate)`,
        [to(cert, 'pharos', PUBLIC, 'pharos')],
      ),
      file(`${dir}/${ETCD_CLIENT_FILES.key}`, etcdClient.keyPem, SECRET, `${key}, 0600`, [
        to(key, 'pharos', SECRET, 'pharos'),
      ]),
    );
  }
  if (caDests.length > 0) {
    const root = hostFiles.find((f) => f.path === `${dir}/${SSL_FILES.ca}`);
    if (root) root.install = [...(root.install ?? []), ...caDests];
    else
      files.unshift(file(`${dir}/${SSL_FILES.ca}`, certs.ca.certPem, PUBLIC, "the deployment's CA", caDests));
  }
  return files;
}

function hostFiles(
  topo: Topology,
  host: PlanHost,
  secrets: PlanSecrets,
  certs: PlanCertificates,
): PlanFile[] {
  const dir = host.name;
  const dataDir = topo.postgres.data_dir;
  const certDir = DEFAULT_CERT_DIR;
  const files: PlanFile[] = [];
  const isAgentHost = host.agentUser !== undefined;
  if (host.roles.includes('etcd')) {
    files.push(
      file(`${dir}/etcd.conf`, renderEtcdConf(topo, host.name), PUBLIC, '/etc/etcd/etcd.conf', [
        to('/etc/etcd/etcd.conf', 'root', PUBLIC, 'etcd'),
      ]),
    );
  }
  if (host.roles.includes('backend')) {
    files.push(
      file(
        `${dir}/patroni.yml`,
        renderPatroniYml(topo, host.name, secrets),
        SECRET,
        '/etc/patroni/patroni.yml, owner postgres (holds the Patroni passwords)',
        [to('/etc/patroni/patroni.yml', 'postgres', SECRET, 'patroni')],
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
    const inData = (name: string) => to(`${dataDir}/${name}`, 'postgres', SECRET, 'ssl');
    files.push(
      file(
        `${dir}/dynamic-config.yml`,
        renderDynamicConfigYml(topo),
        PUBLIC,
        'apply once, on any backend: patronictl -c /etc/patroni/patroni.yml edit-config --apply dynamic-config.yml',
        [to('/etc/patroni/dynamic-config.yml', 'root', PUBLIC, 'patroni')],
      ),
      file(
        `${dir}/${SSL_FILES.ca}`,
        certs.ca.certPem,
        PUBLIC,
        `${dataDir}/${SSL_FILES.ca}, owner postgres, 0600`,
        [inData(SSL_FILES.ca), to(`${certDir}/${SSL_FILES.ca}`, 'root', PUBLIC, 'pharos')],
      ),
      file(
        `${dir}/${SSL_FILES.cert}`,
        certs.server.certPem,
        PUBLIC,
        `${dataDir}/${SSL_FILES.cert}, owner postgres, 0600`,
        [inData(SSL_FILES.cert)],
      ),
      file(
        `${dir}/${SSL_FILES.key}`,
        certs.server.keyPem,
        SECRET,
        `${dataDir}/${SSL_FILES.key}, owner postgres, 0600`,
        [inData(SSL_FILES.key)],
      ),
    );
    if (certs.crlPem) {
      files.push(
        file(
          `${dir}/${SSL_FILES.crl}`,
          certs.crlPem,
          PUBLIC,
          `${dataDir}/${SSL_FILES.crl}, owner postgres, 0600`,
          [inData(SSL_FILES.crl)],
        ),
      );
    }
  }
  if (isAgentHost) {
    if (!host.roles.includes('backend')) {
      files.push(
        file(`${dir}/${SSL_FILES.ca}`, certs.ca.certPem, PUBLIC, `${certDir}/${SSL_FILES.ca}`, [
          to(`${certDir}/${SSL_FILES.ca}`, 'root', PUBLIC, 'pharos'),
        ]),
      );
    }
    const client = certs.clients.get(host.agentUser!);
    if (client) {
      const u = host.agentUser!;
      files.push(
        file(
          `${dir}/${u}.crt`,
          client.certPem,
          PUBLIC,
          `${certDir}/${u}.crt (agent client certificate, CN ${u})`,
          [to(`${certDir}/${u}.crt`, 'pharos', PUBLIC, 'pharos')],
        ),
        file(`${dir}/${u}.key`, client.keyPem, SECRET, `${certDir}/${u}.key, 0600`, [
          to(`${certDir}/${u}.key`, 'pharos', SECRET, 'pharos'),
        ]),
      );
    }
    const web = certs.web.get(host.name);
    if (web) {
      files.push(
        file(
          `${dir}/${WEB_CERT_FILES.cert}`,
          web.certPem,
          PUBLIC,
          `${certDir}/${WEB_CERT_FILES.cert} (HTTPS certificate of the web application)`,
          [to(`${certDir}/${WEB_CERT_FILES.cert}`, 'pharos', PUBLIC, 'pharos')],
        ),
        file(`${dir}/${WEB_CERT_FILES.key}`, web.keyPem, SECRET, `${certDir}/${WEB_CERT_FILES.key}, 0600`, [
          to(`${certDir}/${WEB_CERT_FILES.key}`, 'pharos', SECRET, 'pharos'),
        ]),
      );
    }
    files.push(
      file(
        `${dir}/configure.sh`,
        configureScript(topo, host),
        SCRIPT,
        'run on the host (see RUNBOOK.md for the order)',
        [to(CONFIGURE_SCRIPT_DEST, 'root', 0o700, 'pharos')],
      ),
    );
  }
  files.push(
    file(
      `${dir}/firewall.sh`,
      script(firewallCommands(topo, host.name), `firewalld ports of ${host.name}`),
      SCRIPT,
      'run on the host as root',
      [to(FIREWALL_SCRIPT_DEST, 'root', 0o700, 'firewall')],
    ),
  );
  return [...files, ...securedHostFiles(topo, host, secrets, certs, files)];
}

/**
 * Builds the plan of `topo` (already validated: loadTopology /
 * validateTopology): per host under `<host name>/` its etcd.conf (etcd
 * members); patroni.yml, dynamic-config.yml, root.crt, server.crt,
 * server.key (0600), root.crl when `crl` is set, and patroni-users.sql on the
 * first backend (backends); agentN.crt/.key (or the common agent user's),
 * root.crt and configure.sh (agent hosts); web.crt/.key (web apps);
 * firewall.sh (all). Then `ca/` (root.crt, root.key 0600, root.crl),
 * RUNBOOK.md and `ansible/` (deploy/ansible.ts: inventory, variables,
 * passwords 0600, each host's file list, the playbooks). Each host file
 * names where it goes on the host (`install`). Certificates are new on
 * every call (a fresh CA).
 *
 * Secured topologies (the default; render/infrastructure.ts) add: etcd.crt
 * and etcd.key (and root.crt) on every etcd member and etcd-auth.sh (mode
 * 0700, holds the etcd passwords) on the first; patroni.crt and
 * patroni.key on every backend; etcd-client.crt and .key on every web
 * application; `ca/etcd-client.crt` and `.key` for the operator
 * (`pharos check --etcd-cert/--etcd-key`, etcdctl).
 */
export async function buildPlan(topo: Topology, opts: BuildPlanOptions = {}): Promise<Plan> {
  const secrets: PlanSecrets = {
    ...generatePatroniSecrets(),
    ...generateInfrastructureSecrets(),
    ...opts.secrets,
  };
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
  const operator = certs.infrastructure?.operator;
  if (operator) {
    files.push(
      file(
        `ca/${ETCD_CLIENT_FILES.cert}`,
        operator.certPem,
        PUBLIC,
        "the operator's etcd client certificate (pharos check --etcd-cert, etcdctl --cert)",
      ),
      file(`ca/${ETCD_CLIENT_FILES.key}`, operator.keyPem, SECRET, 'its key, 0600'),
    );
  }
  files.push(file('RUNBOOK.md', renderRunbook(topo, hosts), PUBLIC, 'the ordered steps for the operator'));
  files.push(
    ...ansibleFiles(topo, hosts, files, opts.deploySecrets ?? generateDeploySecrets(), {
      etcdRoot: secrets.etcdRoot,
    }),
  );
  return { topology: topo, hosts, files };
}
