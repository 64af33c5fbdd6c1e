/**
 * pg_hba rules for the PEM backend cluster, as Patroni's `pg_hba` list:
 * strings, one rule or `# comment` each, order significant (first match).
 * Source: reference document, "Set up Patroni on the primary" (Patroni's
 * rules) and "Modify the Patroni cluster to add SSL and HBA rules" (PEM's).
 */
import { hostCidr } from '../topology/address.js';
import type { Topology } from '../topology/types.js';
import { PATRONI_USERS } from './patroni-users.js';

/** Comment placed before the web-host agent rules, explaining docs/reference/pem-facts.md §8 item 5. */
export const WEB_AGENT_CERT_CORRECTION =
  '# Pharos correction: web-host agents authenticate with cert like every agent (agent users have no password); the reference has scram-sha-256 here';

/**
 * PEM's HBA rules, in the reference's order, addresses from the topology:
 * web users (127.0.0.1 then each web app, pem and postgres databases);
 * backend agents (127.0.0.1 cert, then per backend +pem_admin scram-sha-256
 * and +pem_agent cert); web-host agents; the PEM superuser from every backend
 * and web app; monitored networks (+pem_user scram-sha-256, +pem_agent cert
 * per CIDR); with `agent_certificates: common-user`, the common agent user
 * from 127.0.0.1 (cert) for the first registration.
 *
 * Corrections (docs/topology.md, RUNBOOK.md): web-host agents use `cert`, not
 * scram-sha-256 (docs/reference/pem-facts.md §8 item 5; explained by a comment in the list);
 * the superuser lines list backends then web apps, in topology order (the
 * reference's order 202, 201, 213, 211, 200, 212 has no meaning: the lines
 * are disjoint by address).
 */
export function pemHbaRules(topo: Topology): string[] {
  const su = topo.pem.superuser;
  const backends = topo.backends.map((h) => hostCidr(h.address));
  const webs = topo.webapps.map((h) => hostCidr(h.address));
  const rules = ['# Allow users of the web interface to connect to pem and postgres databases'];
  for (const cidr of ['127.0.0.1/32', ...webs]) {
    rules.push(
      `hostssl pem +pem_user ${cidr} scram-sha-256`,
      `hostssl postgres +pem_user ${cidr} scram-sha-256`,
    );
  }
  rules.push(
    '# Allow the PEM backend server agents to register and connect to send data to PEM server',
    'hostssl pem +pem_agent 127.0.0.1/32 cert',
  );
  for (const cidr of backends) {
    rules.push(`hostssl pem +pem_admin ${cidr} scram-sha-256`, `hostssl pem +pem_agent ${cidr} cert`);
  }
  rules.push(
    '# Allow the PEM web app server agents to register and connect to send data to PEM server',
    WEB_AGENT_CERT_CORRECTION,
  );
  for (const cidr of webs) {
    rules.push(`hostssl pem +pem_admin ${cidr} scram-sha-256`, `hostssl pem +pem_agent ${cidr} cert`);
  }
  rules.push('# Allow our superuser to connect to perform cluster configuration');
  for (const cidr of [...backends, ...webs]) rules.push(`hostssl pem,postgres ${su} ${cidr} scram-sha-256`);
  rules.push(
    '# Allow monitoring agents to connect to PEM',
    '# Specify a subnet that includes all your monitored servers',
    '# Duplicate these lines for multiple subnets',
  );
  for (const net of topo.monitored_networks) {
    rules.push(`hostssl pem +pem_user ${net} scram-sha-256`, `hostssl pem +pem_agent ${net} cert`);
  }
  if (topo.agent_certificates === 'common-user') {
    rules.push(
      '# Let the common agent user register the first agent (may be removed once it is a member of pem_agent)',
      `hostssl pem ${topo.common_agent_user} 127.0.0.1/32 cert`,
    );
  }
  return rules;
}

/**
 * Patroni's own HBA rules and the distribution's defaults, exactly as the
 * reference's patroni.yml (`bootstrap.dcs.postgresql.pg_hba`): the Patroni
 * superuser, replication and rewind users from 127.0.0.1, replication and
 * rewind from every backend address, then the package's default local/host
 * rules.
 */
export function patroniHbaRules(topo: Topology): string[] {
  const { superuser, replication, rewind } = PATRONI_USERS;
  const rules = [
    '# Allow our Patroni users to connect as required',
    `host all ${superuser} 127.0.0.1/32 scram-sha-256`,
    `host replication ${replication} 127.0.0.1/32 scram-sha-256`,
    `host all ${rewind} 127.0.0.1/32 scram-sha-256`,
  ];
  for (const b of topo.backends) {
    const cidr = hostCidr(b.address);
    rules.push(
      `host replication ${replication} ${cidr} scram-sha-256`,
      `host all ${rewind} ${cidr} scram-sha-256`,
    );
  }
  rules.push(
    '# This is the default config for this PG package',
    'local all all peer',
    'host all all 127.0.0.1/32 scram-sha-256',
    'host all all ::1/128 scram-sha-256',
    'local replication all peer',
    'host replication all 127.0.0.1/32 scram-sha-256',
    'host replication all ::1/128 scram-sha-256',
  );
  return rules;
}
