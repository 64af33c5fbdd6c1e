/**
 * `pharos agent register`, `pharos agent unregister` and `pharos agent
 * sign-csr`: the counterpart of the reference agent's registration
 * (pem-facts.md §2) for any host, e.g. a monitored server's.
 *
 * register: connects as the superuser (`--superuser`, password from
 * PHAROS_SUPERPASSWORD or a prompt on a terminal) to the primary through the
 * multi-host list (`--host`, default: the hosts of an existing configuration),
 * registers the agent (id: `--agent-id`, else this host's existing one, else
 * the next free; user: `agentN` or `--agent-user`; display name:
 * `--display-name`, default the host name; `--force` re-registers over an
 * existing registration) with a certificate (`--sslcert`/`--sslkey`, CN =
 * the agent user, or from the built-in CA: key and CSR made here, written to
 * `--cert-path`), then writes the agent configuration (`--config`, the format
 * of packages/agent/src/config.ts) with the multi-host string it will use.
 *
 * unregister: removes agent `--agent-id` (default: the configuration's) from
 * the backend; local files are kept.
 *
 * sign-csr: the built-in CA's signer; PostgreSQL runs it on the primary
 * during a registration (server/configure/built-in-ca.ts).
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { type AgentConfig, loadAgentConfig } from '@pharos/agent/config';
import { parseConninfo } from '@pharos/core/conninfo';
import { InputError, messageOf } from '@pharos/core/errors';
import { registerAgentInTx } from '@pharos/server/configure/agent-registration';
import { requireConfiguredBackend } from '@pharos/server/configure/backend-state';
import { readCertificateFiles, requireCommonName } from '@pharos/server/configure/certificate-files';
import {
  agentBackendConninfo,
  type BackendTarget,
  superuserConnection,
} from '@pharos/server/configure/connect';
import { parsePorts } from '@pharos/server/configure/options';
import { unregisterAgent } from '@pharos/server/configure/register';
import { signerOutput } from '@pharos/server/configure/sign-csr';
import { checkAgentLogin } from '@pharos/server/configure/verify';
import type { Command } from 'commander';
import { writeAgentConfig } from './configure-write.js';
import { promptSecret } from './prompt.js';

interface ConnectionFlags {
  config: string;
  host?: string;
  port?: string;
  superuser: string;
}

interface RegisterFlags extends ConnectionFlags {
  agentId?: string;
  agentUser?: string;
  sslcert?: string;
  sslkey?: string;
  certPath?: string;
  sslmode?: string;
  sslrootcert?: string;
  displayName?: string;
  force?: boolean;
}

const REGISTER_FLAGS = {
  cert: '--sslcert',
  key: '--sslkey',
  agentId: '--agent-id N',
  force: '--force',
  noCertificate: 'no agent certificate: give --sslcert and --sslkey',
};

function existingConfig(path: string): AgentConfig | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return loadAgentConfig(path);
  } catch (err) {
    throw new InputError(`--config: ${messageOf(err)} (fix it or remove it before registering)`);
  }
}

function positiveId(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InputError(`${flag}: '${value}' is not a positive integer`);
  return Number(value);
}

/** The superuser's target: hosts from the flag or the existing configuration's backend string. */
async function targetOf(
  f: ConnectionFlags,
  existing: AgentConfig | undefined,
  sslmode?: string,
  sslrootcert?: string,
): Promise<BackendTarget> {
  let hosts: string[];
  let ports: number[];
  if (f.host) {
    hosts = f.host.split(',').map((h) => h.trim());
    if (hosts.some((h) => h === '')) throw new InputError(`--host: '${f.host}' has an empty host`);
    ports = parsePorts(f.port ?? '5432', hosts.length);
  } else if (existing) {
    const ci = parseConninfo(existing.backend, {});
    hosts = ci.hosts.map((h) => h.host);
    ports = f.port ? parsePorts(f.port, hosts.length) : ci.hosts.map((h) => h.port);
  } else {
    throw new InputError(
      '--host: the backend host list is required (there is no configuration to take it from)',
    );
  }
  const superpassword =
    process.env.PHAROS_SUPERPASSWORD ?? (await promptSecret(`Password of ${f.superuser}: `)) ?? '';
  if (!superpassword)
    throw new InputError(
      'the superuser password is missing: set PHAROS_SUPERPASSWORD (or answer the prompt on a terminal)',
    );
  return {
    hosts,
    ports,
    superuser: f.superuser,
    superpassword,
    sslmode: sslmode ?? (process.env.PGSSLMODE || undefined),
    sslrootcert: sslrootcert ?? (process.env.PGSSLROOTCERT || undefined),
    hostAddress: process.env.PHAROS_HOST_ADDRESS || undefined,
  };
}

async function register(f: RegisterFlags): Promise<void> {
  const existing = existingConfig(f.config);
  const agentId = positiveId('--agent-id', f.agentId);
  if (Boolean(f.sslcert) !== Boolean(f.sslkey))
    throw new InputError('--sslcert and --sslkey go together: give both');
  const supplied = f.sslcert ? readCertificateFiles(f.sslcert, f.sslkey!, REGISTER_FLAGS) : undefined;
  if (supplied && f.agentUser) requireCommonName(supplied, f.agentUser, REGISTER_FLAGS);
  else if (supplied && agentId !== undefined) requireCommonName(supplied, `agent${agentId}`, REGISTER_FLAGS);
  const target = await targetOf(f, existing, f.sslmode, f.sslrootcert);
  const displayName = f.displayName ?? (process.env.PHAROS_HOST_NAME || hostname());
  const conn = superuserConnection(target, 'pem', 'read-write');
  const outcome = await requireConfiguredBackend(conn, 'agent register', target.hosts)
    .then(() =>
      conn.transaction((tx) =>
        registerAgentInTx(tx, {
          agentId,
          commonUser: f.agentUser,
          displayName,
          hostAddress: target.hostAddress,
          force: Boolean(f.force),
          supplied,
          builtInCaDir: f.certPath ?? dirname(resolve(f.config)),
          flags: REGISTER_FLAGS,
        }),
      ),
    )
    .finally(() => conn.close());
  const wrote = await outcome.writeFiles();
  const backend = agentBackendConninfo({
    hosts: target.hosts,
    ports: target.ports,
    user: outcome.user,
    sslmode: target.sslmode,
    sslrootcert: target.sslrootcert ? resolve(target.sslrootcert) : undefined,
    sslcert: outcome.certificate.certFile,
    sslkey: outcome.certificate.keyFile,
    hostAddress: target.hostAddress,
  });
  const file = writeAgentConfig(f.config, {
    agentId: outcome.id,
    agentUser: outcome.user,
    backend,
    sourceAddress: target.hostAddress,
  });
  const c = outcome.certificate;
  const lines = [
    `agent ${outcome.id} (${outcome.user}, ${displayName}): ${outcome.changed ? 'registered' : 'already registered'}`,
    `agent certificate (${c.source}, expires ${c.notAfter.toISOString().slice(0, 10)}): ${c.changed ? (c.source === 'built-in-ca' ? `issued, ${c.certFile}` : 'recorded') : 'already recorded'}`,
    `agent configuration: ${file.path} (${file.changed ? 'written' : 'unchanged'})`,
  ];
  const problem = await checkAgentLogin({
    agentId: outcome.id,
    agentUser: outcome.user,
    conninfo: { ...parseConninfo(backend, {}), sourceAddress: target.hostAddress },
    deadlineMs: 15_000,
  }).catch((err: unknown) => messageOf(err));
  lines.push(
    problem ? `warning: the agent cannot log in yet: ${problem}` : `agent login as ${outcome.user}: ok`,
  );
  lines.push(
    outcome.changed || wrote || file.changed
      ? 'agent register: done'
      : 'agent register: nothing to change, already registered',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function unregister(f: ConnectionFlags & { agentId?: string }): Promise<void> {
  const existing = existingConfig(f.config);
  const agentId = positiveId('--agent-id', f.agentId) ?? existing?.agent_id;
  if (agentId === undefined)
    throw new InputError('--agent-id: which agent? (no configuration to take it from)');
  const target = await targetOf(f, existing);
  const conn = superuserConnection(target, 'pem', 'read-write');
  const r = await requireConfiguredBackend(conn, 'agent unregister', target.hosts)
    .then(() => conn.transaction((tx) => unregisterAgent(tx, agentId)))
    .finally(() => conn.close());
  const lines = [...r.actions];
  if (existing && r.changed)
    lines.push(`local files kept: ${resolve(f.config)} (remove them, or register again)`);
  lines.push(r.changed ? 'agent unregister: done' : 'agent unregister: nothing to change');
  process.stdout.write(`${lines.join('\n')}\n`);
}

function connectionOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'agent configuration file', '/etc/pharos/agent.yml')
    .option('--host <hosts>', 'backend host or multi-host list (default: from the configuration)')
    .option('--port <ports>', 'backend port, or one per host')
    .requiredOption(
      '--superuser <name>',
      'superuser on the backend (password: PHAROS_SUPERPASSWORD or prompt)',
    );
}

/** Registers `agent register`, `agent unregister` and `agent sign-csr` on the `agent` command group. */
export function registerAgentRegistrationCommands(agent: Command): void {
  connectionOptions(agent.command('register').description('register this host’s agent with the backend'))
    .option('--agent-id <n>', 'agent id (default: this host’s existing one, else the next free)')
    .option('--agent-user <name>', 'common agent database user (default: agentN)')
    .option('--sslcert <file>', 'agent certificate (CN = agent user); default: issued by the built-in CA')
    .option('--sslkey <file>', 'its private key')
    .option(
      '--cert-path <dir>',
      'where the built-in CA’s certificate and key are written (default: beside --config)',
    )
    .option('--sslmode <mode>', 'sslmode of the backend connections (default PGSSLMODE, else verify-full)')
    .option('--sslrootcert <file>', 'CA of the backends’ server certificates (default PGSSLROOTCERT)')
    .option('--display-name <name>', 'display name (default: the host name)')
    .option('--force', 're-register over an existing registration')
    .action(register);
  connectionOptions(
    agent.command('unregister').description('remove an agent’s registration from the backend'),
  )
    .option('--agent-id <n>', 'agent id (default: the configuration’s)')
    .action(unregister);
  agent
    .command('sign-csr')
    .description(
      'sign an agent CSR with the built-in CA (run by PostgreSQL on the primary during registration)',
    )
    .requiredOption('--cn <user>', 'the agent user the certificate is for')
    .requiredOption('--csr <base64>', 'the CSR (PEM, base64-encoded)')
    .option('--days <n>', 'validity, days', '365')
    .option('--ca-cert <file>', 'CA certificate (relative to the current directory)', 'ca_certificate.crt')
    .option('--ca-key <file>', 'CA key, mode 0600', 'ca_key.key')
    .action(async (f: { cn: string; csr: string; days: string; caCert: string; caKey: string }) => {
      const out = await signerOutput({
        csrPem: Buffer.from(f.csr, 'base64').toString('utf8'),
        commonName: f.cn,
        days: Number(f.days),
        caCertFile: f.caCert,
        caKeyFile: f.caKey,
      });
      process.stdout.write(out);
    });
}
