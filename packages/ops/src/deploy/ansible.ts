/**
 * The Ansible part of a plan (issue 15; docs/deploy.md): `pharos plan` writes
 * `ansible/` beside the host directories:
 *
 *   ansible/ansible.cfg, site.yml, upgrade.yml, replace-etcd-member.yml,
 *     replace-backend.yml, enrol-agent.yml, collect-configs.yml, roles/
 *                              the playbooks and roles, copied from
 *                              packages/ops/ansible/ (static: they read
 *                              everything host-specific from the variables below)
 *   ansible/inventory.yml      groups etcd, backends, first_backend, webapps,
 *                              monitored (empty: extra monitored hosts go here);
 *                              per host ansible_host, pharos_address, agent id
 *   ansible/group_vars/all/plan.yml     the topology's values the roles need
 *   ansible/group_vars/all/secrets.yml  (0600) the installing superuser's, the
 *                              monitoring role's and the web service role's
 *                              passwords: encrypt it with `ansible-vault
 *                              encrypt` if the plan leaves this machine
 *   ansible/host_vars/<host>.yml        `pharos_files`: every plan file of the
 *                              host that has an install destination (src
 *                              relative to the plan, dest, owner, group, mode,
 *                              phase); each role copies the files of its phase,
 *                              so whatever the plan renders reaches the hosts
 *
 * Pure: builds PlanFiles; writePlan puts them on disk.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { PlanFile, PlanHost } from '../plan/types.js';
import { ETCD_CLIENT_PORT, ETCD_PEER_PORT, etcdScheme } from '../render/etcd.js';
import {
  ETCD_AUTH_SCRIPT_DEST,
  ETCD_ROOT_USER,
  etcdTlsFiles,
  type InfrastructureSecrets,
  isSecured,
} from '../render/infrastructure.js';
import { hostPort } from '../render/url.js';
import { sharesLoopback } from '../topology/hosts.js';
import type { Topology } from '../topology/types.js';

/** The static playbooks and roles (packages/ops/ansible/, shipped in the package). */
export const ANSIBLE_SOURCE_DIR = fileURLToPath(new URL('../../ansible/', import.meta.url));

/** Directory of the Ansible files inside a plan. */
export const ANSIBLE_DIR = 'ansible';

/** The passwords the playbook sets and uses (besides the Patroni users', which are in patroni.yml). */
export interface DeploySecrets {
  /** The installing superuser (`pem.superuser`, the reference's pemsuper). */
  superuser: string;
  /** pem_monitor: the backends' agent-server bindings (member of pg_monitor only). */
  monitor: string;
  /** pem_web_service: the web instances' service role (the same on every web host). */
  webService: string;
}

/** Role names the playbook creates and passes to configure (docs/deviations.md "Least privilege"). */
export const DEPLOY_ROLES = { monitor: 'pem_monitor', webService: 'pem_web_service' } as const;

/** New random passwords (24 bytes, base64url), as the lab makes them. */
export function generateDeploySecrets(): DeploySecrets {
  const gen = () => randomBytes(24).toString('base64url');
  return { superuser: gen(), monitor: gen(), webService: gen() };
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

function yamlFile(path: string, comment: string, value: unknown, mode = 0o644): PlanFile {
  const lines = comment
    .trim()
    .split('\n')
    .map((l) => `# ${l}`.trimEnd());
  return {
    path: `${ANSIBLE_DIR}/${path}`,
    content: `---\n${lines.join('\n')}\n${stringify(value, { lineWidth: 0 })}`,
    mode,
    secret: mode === 0o600,
    description:
      mode === 0o600
        ? 'passwords for the playbook (0600; ansible-vault encrypt it)'
        : 'Ansible (docs/deploy.md)',
  };
}

/** `a.b.c.d` or `[x::y]`: an address as the host part of a URL. */
function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/**
 * The inventory: one group per role, `first_backend` (the backend that
 * initialises the cluster), `monitored` (empty), and per host its address
 * (`ansible_host`, `pharos_address`, `pharos_url_host`), agent id and user,
 * and for etcd members their client and peer URLs.
 */
export function renderInventory(topo: Topology, hosts: readonly PlanHost[]): PlanFile {
  const hostVars = (h: PlanHost): Record<string, unknown> => {
    const v: Record<string, unknown> = {
      ansible_host: h.address,
      pharos_address: h.address,
      pharos_url_host: urlHost(h.address),
    };
    if (h.agentId !== undefined) {
      v.pharos_agent_id = h.agentId;
      v.pharos_agent_user = h.agentUser;
    }
    if (h.roles.includes('etcd')) {
      v.pharos_etcd_client_url = `${etcdScheme(topo)}://${hostPort(h.address, ETCD_CLIENT_PORT)}`;
      v.pharos_etcd_peer_url = `${etcdScheme(topo)}://${hostPort(h.address, ETCD_PEER_PORT)}`;
    }
    return v;
  };
  const group = (list: readonly PlanHost[]) => ({
    hosts: Object.fromEntries(list.map((h) => [h.name, hostVars(h)])),
  });
  const byRole = (role: PlanHost['roles'][number]) => hosts.filter((h) => h.roles.includes(role));
  const backends = byRole('backend');
  const inventory = {
    all: {
      children: {
        etcd: group(byRole('etcd')),
        backends: group(backends),
        first_backend: { hosts: { [backends[0]!.name]: {} } },
        webapps: group(byRole('webapp')),
        monitored: { hosts: {} },
      },
    },
  };
  return yamlFile(
    'inventory.yml',
    `Hosts of cluster '${topo.cluster}', from its topology (pharos plan).
Add extra monitored hosts under monitored.hosts (name: { ansible_host: ADDRESS }),
then run enrol-agent.yml. Connect as root or with become: -u USER --become.`,
    inventory,
  );
}

/**
 * group_vars/all/plan.yml: the topology's values the roles read. Secured
 * (render/infrastructure.ts): `pharos_infrastructure_secured` true,
 * `pharos_etcd_tls` (a member's CA, certificate and key, for an operator's
 * own tasks) and `pharos_etcdctl_env` (the same for etcdctl, as its
 * ETCDCTL_* variables, which the roles' health checks and membership
 * changes use; empty when open), `pharos_etcd_auth_script` (run once
 * on the first member) and `pharos_etcd_root_user`.
 */
export function renderPlanVars(topo: Topology): PlanFile {
  const tls = etcdTlsFiles(topo.etcd[0]!.name);
  const secured = isSecured(topo)
    ? {
        pharos_infrastructure_secured: true,
        pharos_etcd_tls: { ca: tls.ca, cert: tls.cert, key: tls.key },
        // etcdctl reads its TLS flags from these (etcdctl --help: ETCDCTL_<FLAG>)
        pharos_etcdctl_env: { ETCDCTL_CACERT: tls.ca, ETCDCTL_CERT: tls.cert, ETCDCTL_KEY: tls.key },
        pharos_etcd_auth_script: ETCD_AUTH_SCRIPT_DEST,
        pharos_etcd_root_user: ETCD_ROOT_USER,
      }
    : { pharos_infrastructure_secured: false, pharos_etcdctl_env: {} };
  const vars = {
    pharos_plan_dir: '{{ playbook_dir }}/..',
    pharos_cluster: topo.cluster,
    pharos_postgres_version: topo.postgres.version,
    pharos_postgres_bin_dir: topo.postgres.bin_dir,
    pharos_postgres_data_dir: topo.postgres.data_dir,
    pharos_postgres_port: topo.postgres.port,
    pharos_patroni_rest_port: topo.patroni.rest_port,
    pharos_web_port: topo.pem.web_port,
    pharos_superuser: topo.pem.superuser,
    pharos_monitor_user: DEPLOY_ROLES.monitor,
    pharos_web_service_user: DEPLOY_ROLES.webService,
    pharos_first_backend: topo.backends[0]!.name,
    pharos_backend_hosts: topo.backends.map((b) => b.address),
    pharos_backend_endpoints: topo.backends.map((b) => hostPort(b.address, topo.postgres.port)),
    pharos_shared_loopback: sharesLoopback(topo),
    ...secured,
  };
  return yamlFile(
    'group_vars/all/plan.yml',
    `Values of the topology the roles use (pharos plan; do not edit: plan again).`,
    vars,
  );
}

/**
 * group_vars/all/secrets.yml, mode 0600; with `infra` also etcd's root
 * password (replace-etcd-member.yml removes and adds members as root).
 */
export function renderSecretsVars(
  secrets: DeploySecrets,
  infra?: Pick<InfrastructureSecrets, 'etcdRoot'>,
): PlanFile {
  return yamlFile(
    'group_vars/all/secrets.yml',
    `Passwords of the deployment (mode 0600). Keep this file beside the inventory
and nowhere else, or encrypt it: ansible-vault encrypt group_vars/all/secrets.yml
(then run the playbooks with --ask-vault-pass). The Patroni users' passwords
are in each backend's patroni.yml (0600).`,
    {
      pharos_superuser_password: secrets.superuser,
      pharos_monitor_password: secrets.monitor,
      pharos_web_service_password: secrets.webService,
      ...(infra ? { pharos_etcd_root_password: infra.etcdRoot } : {}),
    },
    0o600,
  );
}

/** host_vars/<host>.yml: the host's plan files with install destinations. */
export function renderHostFiles(host: PlanHost, files: readonly PlanFile[]): PlanFile {
  const mine = files.filter((f) => f.path.startsWith(`${host.name}/`) && f.install);
  const entries = mine.flatMap((f) =>
    f.install!.map((i) => ({
      src: f.path,
      dest: i.dest,
      owner: i.owner,
      group: i.group,
      mode: `0${i.mode.toString(8)}`,
      phase: i.phase,
    })),
  );
  return yamlFile(
    `host_vars/${host.name}.yml`,
    `Files of ${host.name} in this plan and where the playbook places them (pharos plan).`,
    { pharos_files: entries },
  );
}

/** The static playbooks and roles, as plan files under ansible/. */
export function staticAnsibleFiles(sourceDir = ANSIBLE_SOURCE_DIR): PlanFile[] {
  return walk(sourceDir).map((p) => ({
    path: `${ANSIBLE_DIR}/${relative(sourceDir, p).split('\\').join('/')}`,
    content: readFileSync(p, 'utf8'),
    mode: 0o644,
    secret: false,
    description: 'Ansible (docs/deploy.md)',
  }));
}

/**
 * Every Ansible file of a plan: the static tree, the inventory, the
 * variables, the secrets and each host's file list. `files` are the plan's
 * host files (for host_vars); `infra` the infrastructure passwords of a
 * secured topology (etcd's root password goes to secrets.yml).
 */
export function ansibleFiles(
  topo: Topology,
  hosts: readonly PlanHost[],
  files: readonly PlanFile[],
  secrets: DeploySecrets,
  infra?: Pick<InfrastructureSecrets, 'etcdRoot'>,
): PlanFile[] {
  return [
    ...staticAnsibleFiles(),
    renderInventory(topo, hosts),
    renderPlanVars(topo),
    renderSecretsVars(secrets, isSecured(topo) ? infra : undefined),
    ...hosts.map((h) => renderHostFiles(h, files)),
  ];
}
