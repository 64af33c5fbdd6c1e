/**
 * Patroni's configuration file (/etc/patroni/patroni.yml) for one backend,
 * reference document "Set up Patroni on the primary" / "Set up the standby
 * nodes"; Patroni 4 YAML configuration settings.
 */
import { join } from 'node:path';
import { findBackend, sharesLoopback } from '../topology/hosts.js';
import type { Topology } from '../topology/types.js';
import { ETCD_CLIENT_PORT } from './etcd.js';
import { patroniHbaRules } from './hba.js';
import {
  ETCD_PATRONI_USER,
  type InfrastructureSecrets,
  isSecured,
  OPENSSL_AEAD_CIPHERS,
  PATRONI_REST_USER,
  patroniTlsFiles,
} from './infrastructure.js';
import { PATRONI_USERS, type PatroniSecrets } from './patroni-users.js';
import type { LabSite } from './site.js';
import { hostPort } from './url.js';
import { toYaml } from './yaml.js';

/** The dynamic settings Patroni writes to the DCS when it initialises the cluster. */
export interface PatroniBootstrap {
  dcs: {
    ttl: number;
    loop_wait: number;
    retry_timeout: number;
    maximum_lag_on_failover: number;
    failsafe_mode?: boolean;
    postgresql: { use_pg_rewind: boolean; pg_hba: string[] };
  };
  initdb: (string | Record<string, string>)[];
}

/** A user name and password, as Patroni's configuration writes them. */
export interface Credentials {
  username: string;
  password: string;
}

/** patroni.yml as an object; key order is the reference's (the secured settings after each section's own). */
export interface PatroniConfig {
  scope: string;
  name: string;
  log?: { dir: string };
  restapi: {
    listen: string;
    connect_address: string;
    certfile?: string;
    keyfile?: string;
    cafile?: string;
    ciphers?: string;
    authentication?: Credentials;
  };
  ctl?: { cacert: string; authentication: Credentials };
  etcd3: {
    hosts: string[];
    protocol?: 'https';
    cacert?: string;
    cert?: string;
    key?: string;
    username?: string;
    password?: string;
  };
  bootstrap?: PatroniBootstrap;
  postgresql: {
    listen: string;
    connect_address: string;
    data_dir: string;
    bin_dir: string;
    pgpass?: string;
    authentication: Record<'replication' | 'superuser' | 'rewind', { username: string; password: string }>;
    parameters: { unix_socket_directories: string; wal_retrieve_retry_interval?: string };
    basebackup?: Record<string, string>[];
  };
}

/** Where the lab puts a backend's Patroni log, socket and pgpass; the lab creates them before starting Patroni. */
export function patroniLabPaths(topo: Topology, backendName: string, site: LabSite) {
  const dir = site.hostDir(backendName);
  return {
    dataDir: join(dir, topo.postgres.data_dir),
    logDir: join(dir, 'log'),
    socketDir: join(dir, 'run'),
    pgpass: join(dir, 'pgpass'),
  };
}

function bootstrapSection(topo: Topology): PatroniBootstrap {
  const p = topo.patroni;
  return {
    dcs: {
      ttl: p.ttl,
      loop_wait: p.loop_wait,
      retry_timeout: p.retry_timeout,
      maximum_lag_on_failover: p.maximum_lag_on_failover,
      ...(p.failsafe_mode ? { failsafe_mode: true } : {}),
      postgresql: { use_pg_rewind: true, pg_hba: patroniHbaRules(topo) },
    },
    initdb: [{ encoding: 'UTF8' }, 'data-checksums'],
  };
}

/**
 * wal_retrieve_retry_interval of the lab's servers (PostgreSQL default 5s).
 *
 * Why: a standby that is told to promote while its WAL receiver is (re)trying
 * to connect to the old primary first sleeps out the rest of this interval
 * (xlogrecovery.c WaitForWALToBecomeAvailable: promotion is noticed in the
 * XLOG_FROM_STREAM state, and the failure path then waits
 * wal_retrieve_retry_interval since the last failure before it looks at
 * pg_wal and ends recovery). In a switchover the candidate's receiver loses
 * the stopping primary and retries it, so with the default a switchover's
 * write gap sometimes grows by up to 5 s (measured: 1 switchover in 17,
 * +4.8 s; docs/design-notes.md "Where a switchover's write gap goes").
 * 250 ms bounds that to 250 ms; the cost is a standby retrying a lost
 * upstream 4 times a second (one "could not connect to the primary server"
 * log line each) instead of every 5 s. PostgreSQL documentation, 20.6.3
 * "Standby Servers": the parameter exists to make recovery more responsive.
 * Not in the reference deployment: the lab sets it, a real plan does not.
 */
export const LAB_WAL_RETRIEVE_RETRY_INTERVAL = '250ms';

/**
 * patroni.yml for `backendName`, exactly the reference's: scope = topology
 * `cluster`; name = backend name; restapi listen/connect_address
 * `<address>:<patroni.rest_port>`; etcd3 hosts `<member>:2379`; bootstrap
 * (dcs ttl/loop_wait/retry_timeout/maximum_lag_on_failover from the topology,
 * `failsafe_mode: true` when the topology asks, use_pg_rewind, Patroni's
 * pg_hba rules; initdb UTF8 + data-checksums) on the FIRST backend only;
 * postgresql listen `*:<port>`, connect_address, data_dir, bin_dir,
 * authentication (patroni_rep, patroni_super, patroni_rew with `secrets`),
 * unix_socket_directories '/var/run/postgresql, /tmp'. Standbys differ only
 * by name and addresses (and have no bootstrap section).
 *
 * Pharos's additions (RUNBOOK.md deviations): `postgresql.basebackup:
 * [{checkpoint: fast}]` on every backend (pg_basebackup --checkpoint=fast: a
 * new or rebuilt standby does not wait for a spread checkpoint, up to
 * checkpoint_completion_target × checkpoint_timeout = 4.5 min with the
 * defaults); when the hosts share one machine's loopback (sharesLoopback),
 * `postgresql.listen` is `<address>:<port>`, as in the lab.
 *
 * With a lab `site` (all backends on one machine; Patroni docs, YAML
 * configuration): listen `<address>:<port>` (the one address, so three
 * servers share the port), data_dir `<hostDir>/<postgres.data_dir>`,
 * bin_dir `site.binDir`, unix_socket_directories `<hostDir>/run`,
 * `postgresql.pgpass` `<hostDir>/pgpass` (Patroni's default /tmp/pgpass
 * would be shared by the three nodes), `log.dir` `<hostDir>/log`, and the
 * bootstrap section on EVERY lab backend (Patroni uses it only on the member
 * that wins the initialise race, so the lab does not depend on start order;
 * every member's copy is identical), and `wal_retrieve_retry_interval`
 * {@link LAB_WAL_RETRIEVE_RETRY_INTERVAL} (why: see that constant). The lab
 * creates the log and run directories ({@link patroniLabPaths}).
 *
 * Secured (the default, `infrastructure_security: secured`; see
 * render/infrastructure.ts): `restapi` gets certfile/keyfile (the host's
 * certificate, {@link patroniTlsFiles}), cafile, ciphers (AEAD only) and
 * `authentication` (user `patroni`, password `secrets.restApi`: Patroni
 * asks it for every unsafe method: POST, PUT, PATCH, DELETE); a `ctl`
 * section (cacert and the same authentication) lets patronictl, and
 * Patroni's own calls to the other members, verify and authenticate;
 * `etcd3` gets protocol https, cacert, cert, key (the same certificate)
 * and the etcd user `patroni` with `secrets.etcdPatroni`. Patroni docs,
 * "YAML Configuration Settings": REST API, CTL, Etcdv3.
 *
 * @throws InputError when `backendName` is not a backend.
 * @throws Error when the topology is secured and `secrets` lacks restApi or etcdPatroni.
 */
export function patroniConfig(
  topo: Topology,
  backendName: string,
  secrets: PatroniSecrets & Partial<InfrastructureSecrets>,
  site?: LabSite,
): PatroniConfig {
  const me = findBackend(topo, backendName);
  const isFirst = topo.backends[0]?.name === me.name;
  const lab = site ? patroniLabPaths(topo, me.name, site) : undefined;
  const port = topo.postgres.port;
  const ownAddressOnly = lab !== undefined || sharesLoopback(topo);
  const config: PatroniConfig = {
    scope: topo.cluster,
    name: me.name,
    ...(lab ? { log: { dir: lab.logDir } } : {}),
    restapi: {
      listen: hostPort(me.address, topo.patroni.rest_port),
      connect_address: hostPort(me.address, topo.patroni.rest_port),
    },
    etcd3: { hosts: topo.etcd.map((m) => hostPort(m.address, ETCD_CLIENT_PORT)) },
    ...(isFirst || site ? { bootstrap: bootstrapSection(topo) } : {}),
    postgresql: {
      listen: ownAddressOnly ? hostPort(me.address, port) : `*:${port}`,
      connect_address: hostPort(me.address, port),
      data_dir: lab ? lab.dataDir : topo.postgres.data_dir,
      bin_dir: site ? site.binDir : topo.postgres.bin_dir,
      ...(lab ? { pgpass: lab.pgpass } : {}),
      authentication: {
        replication: { username: PATRONI_USERS.replication, password: secrets.replication },
        superuser: { username: PATRONI_USERS.superuser, password: secrets.superuser },
        rewind: { username: PATRONI_USERS.rewind, password: secrets.rewind },
      },
      parameters: lab
        ? {
            unix_socket_directories: lab.socketDir,
            wal_retrieve_retry_interval: LAB_WAL_RETRIEVE_RETRY_INTERVAL,
          }
        : { unix_socket_directories: '/var/run/postgresql, /tmp' },
      basebackup: [{ checkpoint: 'fast' }],
    },
  };
  return isSecured(topo) ? secure(config, me.name, secrets, site) : config;
}

/** The secured form of `config`, `ctl` placed after `restapi`. */
function secure(
  config: PatroniConfig,
  backendName: string,
  secrets: Partial<InfrastructureSecrets>,
  site: LabSite | undefined,
): PatroniConfig {
  if (secrets.restApi === undefined || secrets.etcdPatroni === undefined) {
    throw new Error('a secured patroni.yml needs the REST API and etcd passwords (restApi, etcdPatroni)');
  }
  const tls = patroniTlsFiles(backendName, site);
  const rest: Credentials = { username: PATRONI_REST_USER, password: secrets.restApi };
  Object.assign(config.restapi, {
    certfile: tls.cert,
    keyfile: tls.key,
    cafile: tls.ca,
    ciphers: OPENSSL_AEAD_CIPHERS,
    authentication: rest,
  });
  Object.assign(config.etcd3, {
    protocol: 'https',
    cacert: tls.ca,
    cert: tls.cert,
    key: tls.key,
    username: ETCD_PATRONI_USER,
    password: secrets.etcdPatroni,
  });
  const { scope, name, log, restapi, ...rest2 } = config;
  return {
    scope,
    name,
    ...(log ? { log } : {}),
    restapi,
    ctl: { cacert: tls.ca, authentication: { ...rest } },
    ...rest2,
  };
}

/** {@link patroniConfig} as YAML text (YAML 1.1-safe quoting, for PyYAML). Same arguments and errors. */
export function renderPatroniYml(
  topo: Topology,
  backendName: string,
  secrets: PatroniSecrets & Partial<InfrastructureSecrets>,
  site?: LabSite,
): string {
  return toYaml(patroniConfig(topo, backendName, secrets, site));
}
