/**
 * The flags of `pharos configure` (docs/reference/pem-facts.md §1, every flag of
 * `configure-pem-server.sh`, plus Pharos's own) and their translation, with
 * the environment, into ConfigureOptions. Values not given are taken from
 * the environment, then prompted for on a terminal only.
 *
 * Environment: PHAROS_SUPERPASSWORD (the -su user's password; -sp works but
 * puts it in the process list), PHAROS_ASB_USER / PHAROS_ASB_PASSWORD (the
 * agent-server binding user, default the superuser), PGSSLMODE /
 * PGSSLROOTCERT (libpq's: the configure connection's TLS, written into the
 * agent's configuration too), PHAROS_HOST_NAME / PHAROS_HOST_ADDRESS (this
 * host's name and address; the lab's one-machine emulation, docs/lab.md).
 */
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  AGENT_REGISTER_PARAM_KEYS,
  type ConfigureOptions,
  parseKeyValues,
  parseOverrides,
  parsePorts,
  SERVER_REGISTER_PARAM_KEYS,
} from '@pharos/backend/configure/options';
import { pharosError } from '@pharos/core/errors';
import { Command } from 'commander';
import { promptSecret } from '../../prompt.js';
import { CONFIGURE_SHORT_FLAGS, expandConfigureFlags } from './flags.js';
import { addHaAccessFlags, type HaAccessFlags } from './ha-access.js';

/** The flags as commander parses them. */
export interface RawConfigureFlags extends HaAccessFlags {
  type?: string;
  host?: string;
  port?: string;
  superuser?: string;
  superpassword?: string;
  cidrAddress?: string;
  dbInstallPath?: string;
  dbUnitfile?: string;
  skipDbCertificate?: boolean;
  skipWebCertificate?: boolean;
  serverCertificateSubject?: string;
  hbaChange?: boolean;
  useTrustedSslDbCertificates?: boolean;
  useExistingSslutils?: boolean;
  useAgentUser?: string;
  useAgentSslcert?: string;
  useAgentSslkey?: string;
  pemagentCertificatePath?: string;
  agentRegisterParam?: string;
  agentRegisterOverrider?: string;
  serverRegisterParam?: string;
  asbHostName?: string;
  pemagentServicename?: string;
  uninstallPemServer?: boolean;
  replicationSolution?: string;
  replicationRole?: string;
  agentConfig: string;
  webConfig: string;
  webServiceUser: string;
  webPort: string;
  webCert?: string;
  webKey?: string;
  caCertFile?: string;
  caKeyFile?: string;
  caCertDays?: string;
}

/** The `pharos` entry point (packages/cli/bin/pharos.js): the built-in CA's signer runs it on the primary. */
export const PHAROS_BIN = fileURLToPath(new URL('../../../bin/pharos.js', import.meta.url));

/** The reference's short flag of each long flag (`--host` -> `-ho`), for the help. */
const SHORT_OF_LONG = new Map(Object.entries(CONFIGURE_SHORT_FLAGS).map(([short, long]) => [long, short]));

/**
 * Adds configure's flags to `cmd` (long forms; flags.ts maps the
 * reference's short ones, which the help shows beside them: `-ho, --host <hosts>`).
 */
export function addConfigureFlags(cmd: Command): Command {
  return addHaAccessFlags(cmd)
    .configureHelp({
      optionTerm: (o) => {
        const short = o.long === undefined ? undefined : SHORT_OF_LONG.get(o.long);
        return short ? `${short}, ${o.flags}` : o.flags;
      },
    })
    .option('--type <1|2|3>', '1 web + backend, 2 web only, 3 backend only')
    .option('--host <hosts>', 'backend host or comma-separated multi-host list (127.0.0.1 = this host)')
    .option('--port <ports>', 'backend port, or one per host', '5432')
    .option('--superuser <name>', 'superuser on the backend (password-authenticated)')
    .option('--superpassword <password>', 'its password (prefer PHAROS_SUPERPASSWORD or the prompt)')
    .option('--cidr-address <cidr>', 'CIDR agents connect from (HBA rules outside HA mode)', '0.0.0.0/0')
    .option('--db-install-path <dir>', 'PostgreSQL install directory (informational)')
    .option('--db-unitfile <name>', 'service that runs the database, patroni in HA (informational)')
    .option('--skip-db-certificate', 'create no CA or server certificate, issue no agent certificate')
    .option('--skip-web-certificate', 'do not create the web instance’s self-signed certificate')
    .option('--server-certificate-subject <subject>', 'subject of that certificate, /C=../O=../CN=..')
    .option('--no-hba-change', 'do not edit pg_hba.conf / postgresql.conf')
    .option('--use-trusted-ssl-db-certificates', '= --skip-db-certificate --no-hba-change')
    .option('--use-existing-sslutils', 'issue agent certificates from the built-in CA on the backends')
    .option('--use-agent-user <name>', 'one common agent database user')
    .option('--use-agent-sslcert <file>', 'existing agent certificate (CN = agent user)')
    .option('--use-agent-sslkey <file>', 'existing agent private key')
    .option('--pemagent-certificate-path <dir>', 'where built-in CA agent certificates are written')
    .option('--agent-register-param <k=v,...>', 'registration: display_name, force_registration')
    .option(
      '--agent-register-overrider <k=v,...>',
      'agent_id=N and agent settings (log_level, long_wait, ...)',
    )
    .option('--server-register-param <k=v,...>', 'server registration: display_name, maintenance_db')
    .option('--asb-host-name <host>', 'host the local agent uses to reach its server (127.0.0.1 in HA)')
    .option('--pemagent-servicename <name>', 'agent service name (informational)')
    .option('--uninstall-pem-server', 'uninstall (not supported: use pharos agent unregister)')
    .option('--replication-solution <patroni|efm>', 'HA mode')
    .option('--replication-role <primary|standby>', 'HA mode: this node’s role')
    .option(
      '--agent-config <file>',
      'where to write the local agent’s configuration',
      '/etc/pharos/agent.yml',
    )
    .option('--web-config <file>', 'where to write the web instance’s configuration', '/etc/pharos/web.yml')
    .option(
      '--web-service-user <name>',
      'web service role (password: PHAROS_WEB_SERVICE_PASSWORD)',
      'pem_web_service',
    )
    .option('--web-port <port>', 'HTTPS port of the web instance', '8443')
    .option('--web-cert <file>', 'web TLS certificate (default: a self-signed one beside --web-config)')
    .option('--web-key <file>', 'web TLS private key')
    .option('--ca-cert-file <file>', 'built-in CA certificate on every backend (data directory relative)')
    .option('--ca-key-file <file>', 'built-in CA key on every backend (data directory relative)')
    .option('--ca-cert-days <days>', 'validity of certificates the built-in CA issues');
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T))
    throw pharosError('PHAROS_CLI_CHOICE_INVALID', { flag, value, allowed: allowed.join(' or ') });
  return value as T;
}

/**
 * Turns parsed flags + environment into ConfigureOptions (prompting for the
 * password on a terminal when neither gives it). @throws InputError naming the flag.
 */
export async function toOptions(f: RawConfigureFlags, env: NodeJS.ProcessEnv): Promise<ConfigureOptions> {
  if (f.uninstallPemServer) {
    throw pharosError('PHAROS_CONFIGURE_UNINSTALL_UNSUPPORTED');
  }
  const type = oneOf('-t/--type', f.type, ['1', '2', '3'] as const);
  if (!type) throw pharosError('PHAROS_CONFIGURE_TYPE_MISSING');
  if (!f.host)
    throw pharosError('PHAROS_CLI_FLAG_REQUIRED', {
      flag: '-ho/--host',
      what: 'the backend host (or comma-separated host list)',
    });
  const hosts = f.host.split(',').map((h) => h.trim());
  if (hosts.some((h) => h === ''))
    throw pharosError('PHAROS_CLI_HOST_EMPTY', { flag: '-ho/--host', hosts: f.host });
  const ports = parsePorts(f.port ?? '5432', hosts.length);
  if (!f.superuser)
    throw pharosError('PHAROS_CLI_FLAG_REQUIRED', { flag: '-su/--superuser', what: 'the superuser name' });

  const replicationSolution = oneOf('--replication-solution', f.replicationSolution, [
    'patroni',
    'efm',
  ] as const);
  const replicationRole = oneOf('--replication-role', f.replicationRole, ['primary', 'standby'] as const);
  if (f.caCertDays !== undefined && !/^\d+$/.test(f.caCertDays)) {
    throw pharosError('PHAROS_CLI_DAYS_INVALID', { flag: '--ca-cert-days', days: f.caCertDays });
  }
  const overrides = parseOverrides(f.agentRegisterOverrider);
  const agentRegisterParams = parseKeyValues(
    '-arp/--agent-register-param',
    f.agentRegisterParam,
    AGENT_REGISTER_PARAM_KEYS,
  );
  const serverRegisterParams = parseKeyValues(
    '-srp/--server-register-param',
    f.serverRegisterParam,
    SERVER_REGISTER_PARAM_KEYS,
  );
  const superpassword =
    f.superpassword ?? env.PHAROS_SUPERPASSWORD ?? (await promptSecret(`Password of ${f.superuser}: `)) ?? '';
  return {
    type: Number(type) as 1 | 2 | 3,
    hosts,
    ports,
    superuser: f.superuser,
    superpassword,
    asbHostName: f.asbHostName,
    replicationSolution,
    replicationRole,
    skipDbCertificate: Boolean(f.skipDbCertificate || f.useTrustedSslDbCertificates),
    noHbaChange: f.hbaChange === false || Boolean(f.useTrustedSslDbCertificates),
    useExistingSslutils: Boolean(f.useExistingSslutils),
    agentUser: f.useAgentUser,
    agentSslCert: f.useAgentSslcert,
    agentSslKey: f.useAgentSslkey,
    agentOverrides: overrides,
    agentRegisterParams,
    serverRegisterParams,
    agentCertificatePath: f.pemagentCertificatePath,
    cidrAddress: f.cidrAddress ?? '0.0.0.0/0',
    dbInstallPath: f.dbInstallPath,
    dbUnitfile: f.dbUnitfile,
    agentServiceName: f.pemagentServicename,
    skipWebCertificate: Boolean(f.skipWebCertificate),
    serverCertificateSubject: f.serverCertificateSubject,
    hostName: env.PHAROS_HOST_NAME || hostname(),
    hostAddress: env.PHAROS_HOST_ADDRESS || undefined,
    asbUser: env.PHAROS_ASB_USER || f.superuser,
    asbPassword: env.PHAROS_ASB_PASSWORD ?? superpassword,
    sslmode: env.PGSSLMODE || undefined,
    sslrootcert: env.PGSSLROOTCERT || undefined,
    caSigner: {
      program: [process.execPath, PHAROS_BIN, 'agent', 'sign-csr'],
      caCertFile: f.caCertFile,
      caKeyFile: f.caKeyFile,
      certDays: f.caCertDays === undefined ? undefined : Number(f.caCertDays),
    },
  };
}

/**
 * Parses a configure command line as the reference writes it (the words
 * after `configure`; multi-letter short flags allowed), without running it.
 * For tests and `--help`-free checks. @throws InputError for bad values,
 * CommanderError for unknown flags.
 */
export async function parseConfigureArgs(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ options: ConfigureOptions; flags: RawConfigureFlags }> {
  const cmd = addConfigureFlags(new Command('configure'))
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  cmd.parse(expandConfigureFlags(args), { from: 'user' });
  const flags = cmd.opts<RawConfigureFlags>();
  return { options: await toOptions(flags, env), flags };
}
