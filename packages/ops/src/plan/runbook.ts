/**
 * RUNBOOK.md of a plan: the ordered steps per host for RHEL 9 (packages,
 * files to place, services, a check after each step) and every deviation
 * from the reference document, written for the operator.
 */
import { DEFAULT_CERT_DIR } from '../render/configure.js';
import { ETCD_CLIENT_PORT } from '../render/etcd.js';
import { PATRONI_USERS } from '../render/patroni-users.js';
import { hostPort } from '../render/url.js';
import type { Topology } from '../topology/types.js';
import type { PlanHost } from './types.js';

/** The deviations from the reference document, each with its reason (also in docs/topology.md). */
export const DEVIATIONS: readonly string[] = [
  '`--replication-solution patroni` on every backend. The reference prose names `efm` and EFM; its commands (rightly) use `patroni` (docs/reference/pem-facts.md §8 item 1).',
  'Standbys and web applications reach the backend through the multi-host list of every backend, never a virtual IP: SM has none (§8 item 2).',
  "Each backend lists its own address as 127.0.0.1 in its `-ho` list, in its own position. The reference's standby command line is right only for standby 1 (§8 item 3).",
  'Agent ids are 1..N, one per host in order backends then web applications (`-aro agent_id=N`, certificate CN `agentN`). The reference shows 2 for every standby and 4 for every web application (§8 item 4).',
  "HBA: the web-application hosts' agents authenticate with `cert`, like every agent; the reference lets them in with scram-sha-256 although agent users have no password (§8 item 5). A comment in the rule list says so.",
  "Firewall: backends also open Patroni's REST port 8008; the members query each other's REST API when they race for leadership, and the reference never opens it (§8 item 6).",
  'Standbys are configured with `--skip-db-certificate` too: in HA the configure step must not touch SSL on any node (§8 item 7).',
  "HBA: the superuser (`pemsuper`) lines list the backends then the web applications in topology order; the reference's order (202, 201, 213, 211, 200, 212) has no meaning, as the lines are disjoint by address.",
  'The first backend is initialised with data checksums (`PGSETUP_INITDB_OPTIONS="-E UTF-8 --data-checksums"`). Patroni adopts that existing data directory, so the `initdb` options of its bootstrap section (UTF8, data-checksums) are never used; without this the cluster would silently lack the checksums the reference asks for.',
  "The SSL parameters and HBA rules are applied with `patronictl edit-config --apply dynamic-config.yml` (the complete pg_hba list, PEM rules first, then Patroni's and the defaults) instead of editing interactively: Patroni replaces lists whole, so the file carries the whole list.",
  'Certificates come with the plan: one CA (ECDSA P-256, SHA-256), one server certificate for all backends whose subject alternative names are every backend address plus 127.0.0.1 and localhost (so verify-full works whichever backend a multi-host string reaches), and one client certificate per agent user. The reference leaves them to a separate page.',
  '`pharos configure` replaces `/usr/edb/pem/bin/configure-pem-server.sh` and takes its flags; agent certificates live in /etc/pharos/certs instead of "/path/to/agent/cert".',
  "Patroni's `postgresql.basebackup` asks for `checkpoint: fast` on every backend: a new or rebuilt standby starts copying at once instead of waiting for a spread checkpoint (up to 4.5 minutes with PostgreSQL's defaults).",
  "Each web application gets an HTTPS certificate from the plan's CA (`web.crt`, for its address and name; `--web-cert`/`--web-key` in its configure step), so clients and `pharos check` verify it like every other certificate of the deployment.",
];

function list(items: string[]): string {
  return items.map((i) => `- ${i}`).join('\n');
}

function hostList(hosts: PlanHost[]): string {
  return list(hosts.map((h) => `\`${h.name}\` (${h.address})`));
}

/**
 * The automation and the operations after the first deployment: the
 * playbook that carries out this runbook (ansible/), replacing a failed
 * etcd member or backend, a rolling upgrade, monitoring another host.
 */
function renderOperations(topo: Topology, endpoints: string, patronictl: string): string {
  const member = topo.etcd[1] ?? topo.etcd[0]!;
  return `## Automation: the Ansible playbook (ansible/)

\`ansible/\` carries out this runbook on the hosts (docs/deploy.md): RHEL 9
(dnf, PGDG, \`/usr/pgsql-${topo.postgres.version}\`) and Debian 12/13 (apt,
\`/usr/lib/postgresql/${topo.postgres.version}\`). Build the packages with
\`npm run package\`, then, from \`ansible/\`:

    ansible-playbook site.yml -e pharos_deb=/path/pharos_<v>-1_amd64.deb -e pharos_rpm=/path/pharos-<v>-1.x86_64.rpm

Sections 1-8 are its plays, in this order; \`--tags\` runs some (firewall,
etcd, packages, patroni, ssl, roles, configure, agent, web). A second run
changes nothing. The passwords it sets are in
\`ansible/group_vars/all/secrets.yml\` (mode 0600; \`ansible-vault encrypt\` it if
the plan leaves this machine).

## Replace a failed etcd member

A member whose data is lost (or whose machine is replaced by a new one with
the same name and address) must not be started with the plan's
\`etcd.conf\` as it is: with \`ETCD_INITIAL_CLUSTER_STATE="new"\` and an empty
data directory it bootstraps a second cluster, which its peers refuse
("cluster ID mismatch"). Instead, for example for \`${member.name}\`:

1. On the member: \`systemctl stop etcd\`; empty its data directory.
2. On a healthy member: \`etcdctl --endpoints=${endpoints} member list\`, then
   \`etcdctl member remove <its ID>\` and
   \`etcdctl member add ${member.name} --peer-urls=http://${member.address}:2380\`.
3. On the member: write \`ETCD_INITIAL_CLUSTER_STATE="existing"\` into
   \`/etc/etcd/etcd-member.conf\` (read after etcd.conf), then \`systemctl start etcd\`.

Check: \`etcdctl --endpoints=${endpoints} endpoint health\` reports every
member healthy. Automated: \`ansible-playbook replace-etcd-member.yml -e etcd_member=${member.name}\`
(it leaves a healthy member alone).

## Replace a failed backend

The cluster must have a leader on another backend (\`${patronictl} list\`).
On the new machine (same name and address), or on the old one after
emptying its data directory: sections 2, 4 (it copies the leader), 5 (its
TLS files), 7 as a standby (\`configure.sh --replication-role standby\`: its
agent keeps its id) and its agent. Automated:
\`ansible-playbook replace-backend.yml -e backend=<name> [-e pharos_wipe_data=true]\`.

## Upgrade Pharos

One host at a time, so that at least two web applications answer at every
moment and no sample is lost (each agent's samples wait in its spool,
/var/lib/pharos, while it restarts): the current primary first
(\`${patronictl} list\`), whose configure step with the new version applies
the schema migrations, once (\`configure.sh --replication-role primary\`);
then each standby; then each web application, waiting until
\`https://<address>:${topo.pem.web_port}/api/health\` reports the new version;
then each monitored host. Installing the package restarts the services of
its host. Automated: \`ansible-playbook upgrade.yml -e pharos_deb=... -e pharos_rpm=...\`.

## Monitor another host

Add it to the \`monitored\` group of \`ansible/inventory.yml\` and run
\`ansible-playbook enrol-agent.yml\`: the package, the CA and the agent's
registration, and its agent started. Then add its servers as section 9 says.`;
}

/** Renders RUNBOOK.md for `topo` and the plan's hosts (agent ids filled in). */
export function renderRunbook(topo: Topology, hosts: PlanHost[]): string {
  const v = topo.postgres.version;
  const dataDir = topo.postgres.data_dir;
  const binDir = topo.postgres.bin_dir;
  const etcdHosts = hosts.filter((h) => h.roles.includes('etcd'));
  const backends = hosts.filter((h) => h.roles.includes('backend'));
  const webapps = hosts.filter((h) => h.roles.includes('webapp'));
  const [primary, ...standbys] = backends;
  const endpoints = topo.etcd.map((m) => `http://${hostPort(m.address, ETCD_CLIENT_PORT)}`).join(',');
  const patronictl = 'patronictl -c /etc/patroni/patroni.yml';
  const sslFiles = `root.crt server.crt server.key${topo.crl ? ' root.crl' : ''}`;
  const common = topo.agent_certificates === 'common-user';
  const builtIn = topo.agent_certificates === 'built-in-ca';
  const su = topo.pem.superuser;

  const sections: string[] = [];
  sections.push(`# Runbook: HA PEM-style monitoring, architecture ${topo.architecture}, Patroni cluster \`${topo.cluster}\`

Generated by \`pharos plan\` for RHEL 9 with PostgreSQL ${v}. Every file named
below is in this plan, under \`<host name>/\`. Steps run as root unless said
otherwise; do them in order, and run each step's check before going on.

Hosts:

etcd members:
${hostList(etcdHosts)}

backends (the first is the initial primary):
${hostList(backends)}

web applications:
${hostList(webapps)}

Keep \`ca/root.key\` offline: no host needs it. \`patroni.yml\` and
\`patroni-users.sql\` hold the Patroni users' passwords: copy them over SSH
only and keep them mode 0600.`);

  sections.push(`## 1. etcd (the DCS), on each etcd member

1. Install etcd from the PGDG repository:
   \`dnf install -y https://download.postgresql.org/pub/repos/yum/reporpms/EL-9-x86_64/pgdg-redhat-repo-latest.noarch.rpm\`
   \`dnf --enablerepo=pgdg-rhel9-extras install -y etcd\`
2. If etcd ever ran on this host with another configuration, stop it and
   empty its data directory (\`/var/lib/etcd\`) first: an existing member
   ignores \`ETCD_INITIAL_CLUSTER\`. This is for the first start of a new
   cluster only: a member that fails later is replaced as in "Replace a
   failed etcd member" below.
3. Place \`<member>/etcd.conf\` as \`/etc/etcd/etcd.conf\`.
4. Run \`<member>/firewall.sh\` (ports 2380 and 2379).
5. \`systemctl enable etcd && systemctl restart etcd\` (start all members
   within a minute of each other: the first waits for a quorum).

Check, once every member runs:
\`etcdctl --endpoints=${endpoints} endpoint health\` reports every endpoint
healthy, and \`etcdctl --endpoints=${endpoints} member list\` lists
${topo.etcd.length} members.`);

  sections.push(`## 2. Packages, on every backend and web application

1. Configure the EDB repositories (\`curl -1sLf 'https://downloads.enterprisedb.com/<token>/<repo>/setup.rpm.sh' | bash\`) and PGDG.
2. Backends: \`dnf -qy module disable postgresql && dnf -y install postgresql${v}-server postgresql${v}-contrib edb-patroni\`
   (or PGDG's \`patroni patroni-etcd\`), then install Pharos.
3. Web applications: \`dnf -y install postgresql${v}-server\` (client binaries), then install Pharos.
4. Run each host's \`firewall.sh\`: backends open ${topo.postgres.port} and ${topo.patroni.rest_port}
   (Patroni REST API), web applications ${topo.pem.web_port}.

Check: \`firewall-cmd --list-ports\` shows the ports of the host's \`firewall.sh\`.`);

  if (primary) {
    sections.push(`## 3. The Patroni cluster: first backend \`${primary.name}\`

1. Initialise PostgreSQL with checksums and start it:
   \`PGSETUP_INITDB_OPTIONS="-E UTF-8 --data-checksums" ${binDir}/postgresql-${v}-setup initdb\`
   \`systemctl start postgresql-${v}\`
2. Create the Patroni users: \`sudo -u postgres psql -v ON_ERROR_STOP=1 -f ${primary.name}/patroni-users.sql\`
   (creates ${PATRONI_USERS.superuser}, ${PATRONI_USERS.replication}, ${PATRONI_USERS.rewind} and the rewind grants).
3. Place \`${primary.name}/patroni.yml\` as \`/etc/patroni/patroni.yml\`, owner postgres, mode 0600.
4. \`systemctl disable --now postgresql-${v} && systemctl enable --now patroni\`

Check: \`${patronictl} list\` shows \`${primary.name}\` as Leader, state running.`);
  }

  if (standbys.length > 0) {
    sections.push(`## 4. The Patroni cluster: standbys

On ${standbys.map((s) => `\`${s.name}\``).join(', ')}, one at a time:

1. \`systemctl disable --now postgresql-${v}\` and remove the data directory: \`rm -rf ${dataDir}\`
2. Place \`<host>/patroni.yml\` as \`/etc/patroni/patroni.yml\`, owner postgres, mode 0600
   (it has no bootstrap section: the standby copies the primary).
3. \`systemctl enable --now patroni\`

Check after each: \`${patronictl} list\` shows the standby as Replica, state
streaming, lag 0 MB.`);
  }

  sections.push(`## 5. SSL and the PEM HBA rules

1. On EVERY backend, place \`<host>/{${sslFiles.replaceAll(' ', ',')}}\` in \`${dataDir}\`,
   owner postgres, mode 0600. Do this on all backends before the next step:
   a server that gets \`ssl = on\` without these files cannot reload.
2. On one backend only: \`${patronictl} edit-config --apply <host>/dynamic-config.yml --force\`
   (SSL parameters, and the complete HBA list: PEM's rules, then Patroni's).

Check: \`${patronictl} show-config\` shows \`ssl: 'on'\` and the rules;
on each backend \`openssl s_client -starttls postgres -connect <address>:${topo.postgres.port} -CAfile <host>/root.crt </dev/null\`
ends with "Verify return code: 0 (ok)"; \`${patronictl} list\` shows no
pending restart.`);

  const agentPrep = builtIn
    ? `Agent certificates are issued at registration by the backend's CA (\`agent_certificates: built-in-ca\`): nothing to copy.`
    : `On each backend and web application, copy \`<host>/root.crt\`, \`<host>/${common ? topo.common_agent_user : 'agentN'}.crt\` and \`.key\`
to \`${DEFAULT_CERT_DIR}/\` (directory 0700, key 0600).${
        common
          ? `\n\nOn the primary, as a superuser: \`CREATE USER ${topo.common_agent_user}; GRANT CONNECT ON DATABASE template1 TO ${topo.common_agent_user};\``
          : ''
      }`;
  sections.push(`## 6. PEM superuser and agent certificates

1. On the primary: \`sudo -u postgres psql -c "create role ${su} login superuser password '<choose one>';"\`
2. ${agentPrep}

Check: \`psql "host=${primary?.address ?? '<primary>'} dbname=postgres user=${su} sslmode=verify-full sslrootcert=${DEFAULT_CERT_DIR}/root.crt" -c 'select 1'\`
from the primary succeeds (the server certificate names every backend address).`);

  const agentLines = hosts
    .filter((h) => h.agentId !== undefined)
    .map((h) => `\`${h.name}\`: agent id ${h.agentId}, user \`${h.agentUser}\``);
  sections.push(`## 7. Configure: first backend, then each standby, then each web application

Run \`<host>/configure.sh\` on each host in this order (the superuser's
password is asked for, or taken from the environment):

${list(agentLines)}

On backends the host list is every backend with the host's own address
written 127.0.0.1; \`--skip-db-certificate\` everywhere: the configure step
never touches SSL or restarts the cluster (Patroni owns both).${
    common
      ? `\n\nAfter the first backend: \`GRANT pem_agent TO ${topo.common_agent_user}; REVOKE CONNECT ON DATABASE template1 FROM ${topo.common_agent_user};\``
      : ''
  }

Check after each host: the agent registration check exits 0, and the new
agent is listed as alive.`);

  sections.push(`## 8. Web applications and the whole deployment

1. On each web application, after its configure step, apply the SELinux policy
   of the web service and start it; log in at \`https://<web address>:${topo.pem.web_port}/\` as \`${su}\`.
2. Test a failover path before going live: \`${patronictl} switchover\` to a
   standby. The web applications and agents must follow the new primary
   within seconds, through their multi-host strings.

Check: every web application shows all ${backends.length + webapps.length} agents and ${backends.length} backends
alive, and \`${patronictl} list\` shows one Leader and ${Math.max(backends.length - 1, 0)} streaming Replicas.`);

  const web = webapps[0]
    ? `https://${webapps[0].address}:${topo.pem.web_port}`
    : `https://<web address>:${topo.pem.web_port}`;
  const nets = topo.monitored_networks.length > 0 ? topo.monitored_networks.join(', ') : '(none planned)';
  sections.push(`## 9. Monitored hosts

The servers the deployment watches (docs/monitoring-a-server.md). A
monitored host needs no PEM superuser password and no new HBA rule on the
backends: its agent connects with its certificate under the planned
\`hostssl pem +pem_agent <network> cert\` rule (monitored networks:
${nets}). As a \`pem_admin\` member, anywhere that reaches a web application:

1. \`pharos token create --name <host> --url ${web} --ca-file root.crt\`
   (a one-time token, shown once).
2. On the monitored host, with \`root.crt\` and the token in
   \`PHAROS_ENROL_TOKEN\`: \`pharos agent enrol --url ${web} --ca-file root.crt\`,
   then \`systemctl enable --now pharos-agent\`.
3. \`pharos server prepare --host <server> --user pem_monitor --agent <host>\`:
   do what it prints on the server (a pg_monitor role, its HBA rule, the
   agent's passfile line for that host:port only).
4. \`pharos server add --name <name> --host <server> --user pem_monitor --agent <host>\`:
   the agent tests the connection first; nothing is added if it fails, and
   the sentence says why.

Check: \`pharos check\` lists the host's agent and the server
(\`agent.server-reachable\`, \`agent.server-role\`) as ok. Removal:
\`pharos server remove <name>\`, then \`pharos agent unregister --agent-id N --url ${web}\`.`);

  sections.push(renderOperations(topo, endpoints, patronictl));

  sections.push(`## Deviations from the reference document

Where this runbook and the plan differ from "HA PEM using the SM architecture
with Patroni", and why:

${DEVIATIONS.map((d, i) => `${i + 1}. ${d}`).join('\n')}`);

  return `${sections.join('\n\n')}\n`;
}
