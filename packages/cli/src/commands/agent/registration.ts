/**
 * The implementation of `pharos agent register`, `pharos agent unregister` and `pharos agent
 * sign-csr`: the counterpart of the reference agent's registration
 * (docs/reference/pem-facts.md §2) for any host, e.g. a monitored server's.
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
 *
 * Loaded by agent-register.ts only when one of these commands runs, so that
 * `pharos agent run` does not load the backend configuration code (resident
 * memory of every agent).
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { type AgentConfig, loadAgentConfig } from '@pharos/agent/config';
import { registerAgentInTx } from '@pharos/backend/configure/agent-registration';
import { requireConfiguredBackend } from '@pharos/backend/configure/backend-state';
import { readCertificateFiles, requireCommonName } from '@pharos/backend/configure/certificate-files';
import {
  agentBackendConninfo,
  type BackendTarget,
  superuserConnection,
} from '@pharos/backend/configure/connect';
import { parsePorts } from '@pharos/backend/configure/options';
import { unregisterAgent } from '@pharos/backend/configure/register';
import { signerOutput } from '@pharos/backend/configure/sign-csr';
import { checkAgentLogin } from '@pharos/backend/configure/verify';
import { parseConninfo } from '@pharos/core/conninfo/resolve';
import { messageOf, pharosError } from '@pharos/core/errors';
import { promptSecret } from '../../prompt.js';
import { writeAgentConfig } from '../configure/write.js';

/** Flags every registration command takes. */
export interface ConnectionFlags {
  config: string;
  host?: string;
  port?: string;
  superuser: string;
}

/** Flags of `agent register`. */
export interface RegisterFlags extends ConnectionFlags {
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
};

function existingConfig(path: string): AgentConfig | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return loadAgentConfig(path);
  } catch (err) {
    throw pharosError('PHAROS_REGISTER_CONFIG_INVALID', { reason: messageOf(err) });
  }
}

function positiveId(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw pharosError('PHAROS_CLI_NOT_POSITIVE_INTEGER', { flag, value });
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
    if (hosts.some((h) => h === ''))
      throw pharosError('PHAROS_CLI_HOST_EMPTY', { flag: '--host', hosts: f.host });
    ports = parsePorts(f.port ?? '5432', hosts.length);
  } else if (existing) {
    const ci = parseConninfo(existing.backend, {});
    hosts = ci.hosts.map((h) => h.host);
    ports = f.port ? parsePorts(f.port, hosts.length) : ci.hosts.map((h) => h.port);
  } else {
    throw pharosError('PHAROS_REGISTER_HOST_MISSING');
  }
  const superpassword =
    process.env.PHAROS_SUPERPASSWORD ?? (await promptSecret(`Password of ${f.superuser}: `)) ?? '';
  if (!superpassword) throw pharosError('PHAROS_REGISTER_PASSWORD_MISSING');
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

/** `agent register`: see the module comment. Throws InputError for bad flags. */
export async function register(f: RegisterFlags): Promise<void> {
  const existing = existingConfig(f.config);
  const agentId = positiveId('--agent-id', f.agentId);
  if (Boolean(f.sslcert) !== Boolean(f.sslkey))
    throw pharosError('PHAROS_CLI_FLAG_PAIR', { first: '--sslcert', second: '--sslkey' });

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

/** `agent unregister`: see the module comment. Throws InputError for bad flags. */
export async function unregister(f: ConnectionFlags & { agentId?: string }): Promise<void> {
  const existing = existingConfig(f.config);
  const agentId = positiveId('--agent-id', f.agentId) ?? existing?.agent_id;
  if (agentId === undefined) throw pharosError('PHAROS_REGISTER_AGENT_ID_MISSING');
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

/** `agent sign-csr`: writes the signer's output (certificate or error line) to stdout. */
export async function signCsrCommand(f: {
  cn: string;
  csr: string;
  days: string;
  caCert: string;
  caKey: string;
}): Promise<void> {
  const out = await signerOutput({
    csrPem: Buffer.from(f.csr, 'base64').toString('utf8'),
    commonName: f.cn,
    days: Number(f.days),
    caCertFile: f.caCert,
    caKeyFile: f.caKey,
  });
  process.stdout.write(out);
}
