/**
 * The reference document's configuration, written out by hand from
 * shared/reference/seed-ha-pem-patroni-sm.txt for the golden tests. Values
 * are the reference's; `cluster-name`/`node-name` are substituted as the
 * reference says (the seed topology's `pem` and host names), and every
 * password is the reference's 'your-password-here'.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTopologyYaml } from '../topology/load.js';
import type { InfrastructureSecurity, Topology } from '../topology/types.js';
import { validateTopology } from '../topology/validate.js';

/** The seed topology file (the reference deployment, examples/seed-sm.topology.yml). */
export const SEED_TOPOLOGY_FILE = join(
  new URL('../../../../examples/', import.meta.url).pathname,
  'seed-sm.topology.yml',
);

/**
 * The seed topology with `infrastructure_security` set: 'reference-open'
 * (the default here: the reference document's own setup, which the golden
 * tests compare field by field) or 'secured' (Pharos's default).
 */
export function seedTopology(security: InfrastructureSecurity = 'reference-open'): Topology {
  const data = parseTopologyYaml(readFileSync(SEED_TOPOLOGY_FILE, 'utf8'), SEED_TOPOLOGY_FILE) as Record<
    string,
    unknown
  >;
  return validateTopology({ ...data, infrastructure_security: security }, SEED_TOPOLOGY_FILE);
}

export const REFERENCE_PASSWORD = 'your-password-here';
export const REFERENCE_SECRETS = {
  superuser: REFERENCE_PASSWORD,
  replication: REFERENCE_PASSWORD,
  rewind: REFERENCE_PASSWORD,
};

/** Fixed passwords of the infrastructure users, for the secured golden files. */
export const SECURED_SECRETS = {
  ...REFERENCE_SECRETS,
  restApi: 'rest-api-password',
  etcdPatroni: 'etcd-patroni-password',
  etcdRoot: 'etcd-root-password',
};

/** "Set up Patroni on the primary": /etc/patroni/patroni.yml, verbatim values. */
export const REFERENCE_PRIMARY_PATRONI = {
  scope: 'pem',
  name: 'pem-backend-1',
  restapi: { listen: '172.16.161.200:8008', connect_address: '172.16.161.200:8008' },
  etcd3: { hosts: ['172.16.161.111:2379', '172.16.161.112:2379', '172.16.161.113:2379'] },
  bootstrap: {
    dcs: {
      ttl: 30,
      loop_wait: 10,
      retry_timeout: 10,
      maximum_lag_on_failover: 1048576,
      postgresql: {
        use_pg_rewind: true,
        pg_hba: [
          '# Allow our Patroni users to connect as required',
          'host all patroni_super 127.0.0.1/32 scram-sha-256',
          'host replication patroni_rep 127.0.0.1/32 scram-sha-256',
          'host all patroni_rew 127.0.0.1/32 scram-sha-256',
          'host replication patroni_rep 172.16.161.200/32 scram-sha-256',
          'host all patroni_rew 172.16.161.200/32 scram-sha-256',
          'host replication patroni_rep 172.16.161.201/32 scram-sha-256',
          'host all patroni_rew 172.16.161.201/32 scram-sha-256',
          'host replication patroni_rep 172.16.161.202/32 scram-sha-256',
          'host all patroni_rew 172.16.161.202/32 scram-sha-256',
          '# This is the default config for this PG package',
          'local all all peer',
          'host all all 127.0.0.1/32 scram-sha-256',
          'host all all ::1/128 scram-sha-256',
          'local replication all peer',
          'host replication all 127.0.0.1/32 scram-sha-256',
          'host replication all ::1/128 scram-sha-256',
        ],
      },
    },
    initdb: [{ encoding: 'UTF8' }, 'data-checksums'],
  },
  postgresql: {
    listen: '*:5432',
    connect_address: '172.16.161.200:5432',
    data_dir: '/var/lib/pgsql/17/data',
    bin_dir: '/usr/pgsql-17/bin',
    authentication: {
      replication: { username: 'patroni_rep', password: 'your-password-here' },
      superuser: { username: 'patroni_super', password: 'your-password-here' },
      rewind: { username: 'patroni_rew', password: 'your-password-here' },
    },
    parameters: { unix_socket_directories: '/var/run/postgresql, /tmp' },
  },
};

/**
 * "Set up the standby nodes": the primary's file without the bootstrap
 * section, with the standby's name and its address under restapi and
 * postgresql.connect_address.
 */
export function referenceStandbyPatroni(name: string, address: string) {
  const { bootstrap: _omitted, ...rest } = structuredClone(REFERENCE_PRIMARY_PATRONI);
  return {
    ...rest,
    name,
    restapi: { listen: `${address}:8008`, connect_address: `${address}:8008` },
    postgresql: { ...rest.postgresql, connect_address: `${address}:5432` },
  };
}

/** "Add the following HBA rules to the top of postgresql.pg_hba", verbatim, in the reference's order. */
export const REFERENCE_PEM_HBA = [
  '# Allow users of the web interface to connect to pem and postgres databases',
  'hostssl pem +pem_user 127.0.0.1/32 scram-sha-256',
  'hostssl postgres +pem_user 127.0.0.1/32 scram-sha-256',
  'hostssl pem +pem_user 172.16.161.211/32 scram-sha-256',
  'hostssl postgres +pem_user 172.16.161.211/32 scram-sha-256',
  'hostssl pem +pem_user 172.16.161.212/32 scram-sha-256',
  'hostssl postgres +pem_user 172.16.161.212/32 scram-sha-256',
  'hostssl pem +pem_user 172.16.161.213/32 scram-sha-256',
  'hostssl postgres +pem_user 172.16.161.213/32 scram-sha-256',
  '# Allow the PEM backend server agents to register and connect to send data to PEM server',
  'hostssl pem +pem_agent 127.0.0.1/32 cert',
  'hostssl pem +pem_admin 172.16.161.200/32 scram-sha-256',
  'hostssl pem +pem_agent 172.16.161.200/32 cert',
  'hostssl pem +pem_admin 172.16.161.201/32 scram-sha-256',
  'hostssl pem +pem_agent 172.16.161.201/32 cert',
  'hostssl pem +pem_admin 172.16.161.202/32 scram-sha-256',
  'hostssl pem +pem_agent 172.16.161.202/32 cert',
  '# Allow the PEM web app server agents to register and connect to send data to PEM server',
  'hostssl pem +pem_admin 172.16.161.211/32 scram-sha-256',
  'hostssl pem +pem_agent 172.16.161.211/32 scram-sha-256',
  'hostssl pem +pem_admin 172.16.161.212/32 scram-sha-256',
  'hostssl pem +pem_agent 172.16.161.212/32 scram-sha-256',
  'hostssl pem +pem_admin 172.16.161.213/32 scram-sha-256',
  'hostssl pem +pem_agent 172.16.161.213/32 scram-sha-256',
  '# Allow our superuser to connect to perform cluster configuration',
  'hostssl pem,postgres pemsuper 172.16.161.202/32 scram-sha-256',
  'hostssl pem,postgres pemsuper 172.16.161.201/32 scram-sha-256',
  'hostssl pem,postgres pemsuper 172.16.161.213/32 scram-sha-256',
  'hostssl pem,postgres pemsuper 172.16.161.211/32 scram-sha-256',
  'hostssl pem,postgres pemsuper 172.16.161.200/32 scram-sha-256',
  'hostssl pem,postgres pemsuper 172.16.161.212/32 scram-sha-256',
  '# Allow monitoring agents to connect to PEM',
  '# Specify a subnet that includes all your monitored servers',
  '# Duplicate these lines for multiple subnets',
  'hostssl pem +pem_user 0.0.0.0/0 scram-sha-256',
  'hostssl pem +pem_agent 0.0.0.0/0 cert',
];

/** "If using a common agent user, add one additional line". */
export const REFERENCE_COMMON_AGENT_HBA = 'hostssl pem common_agent_user 127.0.0.1/32 cert';

/** The reference's etcd.conf values for each member ("substituting ... <node-ip> and node-name"). */
export function referenceEtcd(name: string, ip: string): Record<string, string> {
  return {
    ETCD_LISTEN_PEER_URLS: `http://${ip}:2380`,
    ETCD_LISTEN_CLIENT_URLS: `http://localhost:2379,http://${ip}:2379`,
    ETCD_NAME: name,
    ETCD_INITIAL_ADVERTISE_PEER_URLS: `http://${ip}:2380`,
    ETCD_INITIAL_CLUSTER:
      'etcd-node-1=http://172.16.161.111:2380,etcd-node-2=http://172.16.161.112:2380,etcd-node-3=http://172.16.161.113:2380',
    ETCD_ADVERTISE_CLIENT_URLS: `http://${ip}:2379`,
    ETCD_INITIAL_CLUSTER_TOKEN: 'etcd-cluster-1',
    ETCD_INITIAL_CLUSTER_STATE: 'new',
  };
}

/** "Create Patroni users", verbatim statements (comments aside). */
export const REFERENCE_USERS_SQL = [
  "CREATE USER patroni_super WITH SUPERUSER ENCRYPTED PASSWORD 'your-password-here';",
  "CREATE USER patroni_rep WITH REPLICATION ENCRYPTED PASSWORD 'your-password-here';",
  "CREATE USER patroni_rew WITH ENCRYPTED PASSWORD 'your-password-here';",
  'GRANT EXECUTE ON function pg_catalog.pg_ls_dir(text, boolean, boolean) TO patroni_rew;',
  'GRANT EXECUTE ON function pg_catalog.pg_stat_file(text, boolean) TO patroni_rew;',
  'GRANT EXECUTE ON function pg_catalog.pg_read_binary_file(text) TO patroni_rew;',
  'GRANT EXECUTE ON function pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean) TO patroni_rew;',
];
