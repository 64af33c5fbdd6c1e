/**
 * `pharos configure`: the counterpart of `configure-pem-server.sh`, taking its
 * flags as the reference writes them (see configure-flags.ts), non-interactive
 * from flags and environment variables, prompting only on a terminal.
 *
 * Environment: PHAROS_SUPERPASSWORD (the -su user's password; -sp works but
 * puts it in the process list), PHAROS_ASB_USER / PHAROS_ASB_PASSWORD (the
 * agent-server binding user, default the superuser), PGSSLMODE/PGSSLROOTCERT
 * (libpq's, for the configure connection and written into the agent's
 * configuration). Lab-only host identity: PHAROS_HOST_NAME, PHAROS_HOST_ADDRESS
 * (see packages/ops/src/lab/README.md).
 *
 * Pharos's own additions: --agent-config FILE (where the local agent's
 * configuration is written), --web-config FILE (with -t 2/-t 1: the web
 * instance's configuration), --web-service-user NAME (PHAROS_WEB_SERVICE_PASSWORD).
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { InputError } from '@pharos/core/errors';
import { configure, type ConfigureResult } from '@pharos/server/configure/configure';
import { parseOverrides, parsePorts, type ConfigureOptions } from '@pharos/server/configure/options';
import { expandConfigureFlags } from './configure-flags.js';
import { promptSecret } from './prompt.js';
import { writeLocalAgentConfig, writeLocalWebConfig } from './configure-write.js';

interface RawFlags {
  type?: string;
  host?: string;
  port?: string;
  superuser?: string;
  superpassword?: string;
  asbHostName?: string;
  replicationSolution?: string;
  replicationRole?: string;
  skipDbCertificate?: boolean;
  hbaChange?: boolean;
  useTrustedSslDbCertificates?: boolean;
  useExistingSslutils?: boolean;
  useAgentUser?: string;
  useAgentSslcert?: string;
  useAgentSslkey?: string;
  agentRegisterOverrider?: string;
  agentConfig?: string;
  webConfig?: string;
  webServiceUser?: string;
  webPort?: string;
  webCert?: string;
  webKey?: string;
}

/** Turns parsed flags + environment into ConfigureOptions. InputError names the flag. */
export async function toOptions(f: RawFlags, env: NodeJS.ProcessEnv): Promise<ConfigureOptions> {
  const type = Number(f.type);
  if (![1, 2, 3].includes(type)) throw new InputError(`-t/--type: '${f.type ?? ''}' must be 1, 2 or 3`);
  if (!f.host) throw new InputError('-ho/--host: the backend host (or comma-separated host list) is required');
  const hosts = f.host.split(',').map((h) => h.trim());
  if (hosts.some((h) => h === '')) throw new InputError(`-ho/--host: '${f.host}' has an empty host`);
  const ports = parsePorts(f.port ?? '5432', hosts.length);
  if (!f.superuser) throw new InputError('-su/--superuser: the superuser name is required');
  if (f.replicationSolution && !['patroni', 'efm'].includes(f.replicationSolution)) {
    throw new InputError(`--replication-solution: '${f.replicationSolution}' must be patroni or efm`);
  }
  if (f.replicationRole && !['primary', 'standby'].includes(f.replicationRole)) {
    throw new InputError(`--replication-role: '${f.replicationRole}' must be primary or standby`);
  }
  const superpassword =
    f.superpassword ?? env.PHAROS_SUPERPASSWORD ?? (await promptSecret(`Password of ${f.superuser}: `)) ?? '';
  return {
    type: type as 1 | 2 | 3,
    hosts,
    ports,
    superuser: f.superuser,
    superpassword,
    asbHostName: f.asbHostName,
    replicationSolution: f.replicationSolution as ConfigureOptions['replicationSolution'],
    replicationRole: f.replicationRole as ConfigureOptions['replicationRole'],
    skipDbCertificate: Boolean(f.skipDbCertificate || f.useTrustedSslDbCertificates),
    noHbaChange: f.hbaChange === false || Boolean(f.useTrustedSslDbCertificates),
    useExistingSslutils: Boolean(f.useExistingSslutils),
    agentUser: f.useAgentUser,
    agentSslCert: f.useAgentSslcert,
    agentSslKey: f.useAgentSslkey,
    agentOverrides: parseOverrides(f.agentRegisterOverrider),
    hostName: env.PHAROS_HOST_NAME ?? hostname(),
    hostAddress: env.PHAROS_HOST_ADDRESS,
    asbUser: env.PHAROS_ASB_USER ?? f.superuser,
    asbPassword: env.PHAROS_ASB_PASSWORD ?? superpassword,
    sslmode: env.PGSSLMODE,
    sslrootcert: env.PGSSLROOTCERT,
  };
}

function report(r: ConfigureResult, o: ConfigureOptions): string[] {
  const lines: string[] = [];
  if (r.databaseCreated) lines.push('created database pem');
  if (r.migrations) {
    lines.push(
      r.migrations.applied.length > 0
        ? `schema upgraded from version ${r.migrations.before} to ${r.migrations.after}`
        : `schema already at version ${r.migrations.after}`,
    );
  }
  lines.push(`agent ${r.agent.id} (${r.agent.user}, ${o.hostName}): ${r.agent.changed ? 'registered' : 'already registered'}`);
  if (r.server) lines.push(`server ${r.server.id} (${o.hostName}): ${r.server.changed ? 'registered' : 'already registered'}`);
  if (r.webServiceRole) lines.push(`web service role ${r.webServiceRole.name}: ${r.webServiceRole.changed ? 'created' : 'unchanged'}`);
  return lines;
}

/** Registers `configure` on the program. */
export function registerConfigure(program: Command): void {
  program
    .command('configure')
    .description("configure the backend (-t 3), a web instance (-t 2) or both (-t 1), with configure-pem-server.sh's flags")
    .option('--type <1|2|3>', '1 web + backend, 2 web only, 3 backend only')
    .option('--host <hosts>', 'backend host or comma-separated multi-host list (127.0.0.1 = this host)')
    .option('--port <ports>', 'backend port, or one per host', '5432')
    .option('--superuser <name>', 'superuser on the backend (password-authenticated)')
    .option('--superpassword <password>', 'its password (prefer PHAROS_SUPERPASSWORD or the prompt)')
    .option('--cidr-address <cidr>', 'CIDR agents connect from (non-HA HBA rules only)')
    .option('--db-install-path <dir>', 'PostgreSQL install directory (informational in HA mode)')
    .option('--db-unitfile <name>', 'service that runs the database (patroni in HA)')
    .option('--skip-db-certificate', 'create no CA or server certificate')
    .option('--skip-web-certificate', 'do not create the web server certificate')
    .option('--server-certificate-subject <subject>', 'subject of the web certificate')
    .option('--no-hba-change', 'do not edit pg_hba.conf / postgresql.conf')
    .option('--use-trusted-ssl-db-certificates', '= --skip-db-certificate --no-hba-change')
    .option('--use-existing-sslutils', 'still issue agent certificates from the database-side CA')
    .option('--use-agent-user <name>', 'one common agent database user')
    .option('--use-agent-sslcert <file>', 'existing agent certificate (CN = agent user)')
    .option('--use-agent-sslkey <file>', 'existing agent private key')
    .option('--pemagent-certificate-path <dir>', 'where agent certificates are written')
    .option('--agent-register-param <params>', 'extra agent registration arguments')
    .option('--agent-register-overrider <k=v,...>', 'agent configuration overrides, e.g. agent_id=2')
    .option('--server-register-param <params>', 'extra server registration arguments')
    .option('--asb-host-name <host>', 'host the local agent uses to reach the monitored server (127.0.0.1 in HA)')
    .option('--pemagent-servicename <name>', 'agent service name')
    .option('--uninstall-pem-server', 'uninstall (not supported yet)')
    .option('--replication-solution <patroni|efm>', 'HA mode')
    .option('--replication-role <primary|standby>', 'HA mode: this node’s role')
    .option('--agent-config <file>', 'where to write the local agent’s configuration', '/etc/pharos/agent.yml')
    .option('--web-config <file>', 'where to write the web instance’s configuration (-t 1, -t 2)', '/etc/pharos/web.yml')
    .option('--web-service-user <name>', 'the web instances’ service role (password: PHAROS_WEB_SERVICE_PASSWORD)', 'pem_web_service')
    .option('--web-port <port>', 'HTTPS port of the web instance', '8443')
    .option('--web-cert <file>', 'web TLS certificate (from the deployment CA)')
    .option('--web-key <file>', 'web TLS private key')
    .action(async (flags: RawFlags) => {
      if ((flags as { uninstallPemServer?: boolean }).uninstallPemServer) {
        throw new InputError('--uninstall-pem-server is not supported yet: unregister agents with pharos agent unregister');
      }
      const o = await toOptions(flags, process.env);
      const webPassword = process.env.PHAROS_WEB_SERVICE_PASSWORD;
      const wantsWeb = o.type !== 3;
      if (wantsWeb && !webPassword) {
        throw new InputError('PHAROS_WEB_SERVICE_PASSWORD is required with -t 1/-t 2 (the web service role’s password)');
      }
      const result = await configure(
        o,
        wantsWeb && webPassword ? { webServiceRole: { name: flags.webServiceUser!, password: webPassword } } : undefined,
      );
      const lines = report(result, o);
      const agentFile = writeLocalAgentConfig(flags.agentConfig!, o, result);
      lines.push(`agent configuration: ${agentFile.path} (${agentFile.changed ? 'written' : 'unchanged'})`);
      if (wantsWeb && webPassword) {
        const webFile = writeLocalWebConfig(flags.webConfig!, o, {
          serviceUser: flags.webServiceUser!,
          servicePassword: webPassword,
          port: Number(flags.webPort),
          certFile: flags.webCert,
          keyFile: flags.webKey,
        });
        lines.push(`web configuration: ${webFile.path} (${webFile.changed ? 'written' : 'unchanged'})`);
      }
      const changed =
        result.agent.changed || result.server?.changed || result.databaseCreated || (result.migrations?.applied.length ?? 0) > 0;
      lines.push(changed ? 'configure: done' : 'configure: nothing to change, already configured');
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

/** Parses a configure command line written as in the reference (multi-letter short flags allowed). */
export function configureArgv(args: string[]): string[] {
  return expandConfigureFlags(args);
}
