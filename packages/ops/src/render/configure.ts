/**
 * The `pharos configure` command line of each backend and web application
 * host: the reference document's `configure-pem-server.sh` lines ("Install
 * PEM on the primary", "Install PEM on the standbys", "Deploy the PEM Web
 * Application") with `pharos configure` in place of the script and the
 * corrections of docs/reference/pem-facts.md §8 (items 1, 2, 3, 4, 7).
 */
import { dirname, join } from 'node:path';
import { pharosError } from '@pharos/core/errors';
import { agentHosts, agentUser } from '../topology/hosts.js';
import type { Topology } from '../topology/types.js';
import { etcdClientUrls } from './etcd.js';
import { isSecured } from './infrastructure.js';
import { shellQuote } from './shell.js';
import type { LabSite } from './site.js';

export interface ConfigureOptions {
  /** Directory holding the host's agent certificate `<user>.crt` and key `<user>.key`. Default /etc/pharos/certs, or the host's lab directory with a site. */
  certDir?: string;
  /** Words that run the configure step. Default ['pharos', 'configure']. */
  command?: string[];
  /** Present in the lab: the PostgreSQL install path comes from `site.binDir`, the CA is `site.caFile`. */
  site?: LabSite;
}

/** File names of a web host's etcd client certificate and key (in the certificate directory). */
export const ETCD_CLIENT_FILES = { cert: 'etcd-client.crt', key: 'etcd-client.key' } as const;

/** A command as argv (to spawn) and as shell text (one flag per line, for configure.sh). */
export interface ConfigureCommand {
  argv: string[];
  script: string;
}

/** Default directory of agent certificates on a real host. */
export const DEFAULT_CERT_DIR = '/etc/pharos/certs';

/** The web application's HTTPS certificate and key, in the certificate directory (the plan issues them). */
export const WEB_CERT_FILES = { cert: 'web.crt', key: 'web.key' } as const;

export { shellQuote } from './shell.js';

/** The install path the reference passes to --db-install-path: the bin dir's parent with a trailing slash. */
function installPath(binDir: string): string {
  return `${dirname(binDir.replace(/\/+$/, ''))}/`;
}

/**
 * `pharos configure` for `hostName`:
 * - first backend: `-t 3 -ho <backends> -p <port> -su <superuser>
 *   --asb-host-name 127.0.0.1 --replication-solution patroni
 *   --replication-role primary --db-unitfile patroni --db-install-path <dir>/
 *   --skip-db-certificate` + agent options;
 * - other backends: the same with `--replication-role standby`;
 * - web apps: `-t 2 -ho <backends> -p <port> -su <superuser>
 *   --db-install-path <dir>/` + agent options.
 *
 * The host list is every backend address in topology order, a backend's own
 * address replaced by 127.0.0.1 (§8 item 3: the reference's standby-2 line
 * is wrong). Agent options by `agent_certificates`: per-agent
 * `--use-agent-sslcert <dir>/agentN.crt --use-agent-sslkey <dir>/agentN.key
 * -aro agent_id=N` with N = 1..6 in host order, backends then web apps
 * (§8 item 4); common-user `--use-agent-user <user>` + its certificate and
 * key; built-in-ca `--use-existing-sslutils` on backends. Corrections:
 * `--replication-solution patroni`, never efm (item 1); the multi-host list,
 * never a VIP (item 2); `--skip-db-certificate` on standbys too (item 7).
 *
 * Secured topologies (`infrastructure_security: secured`, the default) add
 * Pharos's own flags after the reference's: `--patroni-rest-ca <dir>/root.crt`
 * on every host (agents' Patroni probes, and the web's overview, use HTTPS
 * verified against the deployment's CA), and on web apps
 * `--etcd-endpoints https://<member>:2379,...` with the host's etcd client
 * certificate `--etcd-cert <dir>/etcd-client.crt --etcd-key <dir>/etcd-client.key`.
 *
 * @throws InputError when the host is neither a backend nor a web app (etcd
 *   members run no PEM component).
 */
export function configureCommandLine(
  topo: Topology,
  hostName: string,
  opts: ConfigureOptions = {},
): ConfigureCommand {
  const agent = agentHosts(topo).find((h) => h.name === hostName);
  if (!agent) {
    throw pharosError('PHAROS_TOPOLOGY_NO_CONFIGURE_STEP', { host: hostName });
  }
  const certDir = opts.certDir ?? (opts.site ? opts.site.hostDir(hostName) : DEFAULT_CERT_DIR);
  const binDir = opts.site ? opts.site.binDir : topo.postgres.bin_dir;
  const isBackend = agent.role === 'backend';
  const hosts = topo.backends.map((b) => (b.name === hostName ? '127.0.0.1' : b.address)).join(',');
  const pairs: [string, string?][] = [
    ['-t', isBackend ? '3' : '2'],
    ['-ho', hosts],
    ['-p', String(topo.postgres.port)],
    ['-su', topo.pem.superuser],
  ];
  if (isBackend) {
    pairs.push(
      ['--asb-host-name', '127.0.0.1'],
      ['--replication-solution', 'patroni'],
      ['--replication-role', agent.agentId === 1 ? 'primary' : 'standby'],
      ['--db-unitfile', 'patroni'],
    );
  }
  pairs.push(['--db-install-path', installPath(binDir)]);
  if (isBackend) pairs.push(['--skip-db-certificate']);
  const user = agentUser(topo, agent.agentId);
  if (topo.agent_certificates === 'built-in-ca') {
    if (isBackend) pairs.push(['--use-existing-sslutils']);
  } else {
    if (topo.agent_certificates === 'common-user') pairs.push(['--use-agent-user', user]);
    pairs.push(
      ['--use-agent-sslcert', join(certDir, `${user}.crt`)],
      ['--use-agent-sslkey', join(certDir, `${user}.key`)],
    );
    if (topo.agent_certificates === 'per-agent') pairs.push(['-aro', `agent_id=${agent.agentId}`]);
  }
  if (!isBackend) {
    pairs.push(
      ['--web-cert', join(certDir, WEB_CERT_FILES.cert)],
      ['--web-key', join(certDir, WEB_CERT_FILES.key)],
    );
  }
  if (isSecured(topo)) {
    pairs.push(['--patroni-rest-ca', opts.site ? opts.site.caFile : join(certDir, 'root.crt')]);
    if (!isBackend) {
      pairs.push(
        ['--etcd-endpoints', etcdClientUrls(topo).join(',')],
        ['--etcd-cert', join(certDir, ETCD_CLIENT_FILES.cert)],
        ['--etcd-key', join(certDir, ETCD_CLIENT_FILES.key)],
      );
    }
  }
  const command = opts.command ?? ['pharos', 'configure'];
  const argv = [
    ...command,
    ...pairs.flatMap(([flag, value]) => (value === undefined ? [flag] : [flag, value])),
  ];
  const lines = [
    command.map(shellQuote).join(' '),
    ...pairs.map(([flag, value]) => (value === undefined ? flag : `${flag} ${shellQuote(value)}`)),
  ];
  return { argv, script: `${lines.join(' \\\n  ')}\n` };
}
