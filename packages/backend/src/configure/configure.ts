/**
 * `pharos configure`: what `configure-pem-server.sh` does (docs/reference/pem-facts.md §1),
 * in HA mode as the reference uses it.
 *
 * - `-t 3 --replication-role primary` (and `-t 1`): the local node (the
 *   local name in -ho, or the first host) must be the primary; creates
 *   database `pem`, applies the migrations (schemas, group roles, functions),
 *   records the built-in CA with `--use-existing-sslutils`, registers the
 *   local agent and the local server with its agent-server binding.
 * - `-t 3 --replication-role standby`: writes nothing to the schema (it
 *   arrives by replication; an older or missing schema is refused); registers
 *   the standby's agent and server through the primary, reached with the
 *   multi-host string (target_session_attrs=read-write).
 * - `-t 2`: refuses unless the backend is configured; registers the web
 *   host's agent and the web instances' service role.
 *
 * In HA mode nothing touches SSL, HBA rules or restarts (Patroni owns them);
 * outside HA mode Pharos does not edit them either (docs/configure.md).
 * Every input is checked before anything is written; the registration runs
 * in one transaction, so a failure part-way leaves nothing half-registered;
 * every step is idempotent and reports whether it changed anything.
 */
import { dirname, resolve } from 'node:path';
import { pharosError } from '@pharos/core/errors';
import { isLocalHostName } from '@pharos/core/host-identity';
import { type MigrateResult, migrate } from '../migrations/run.js';
import { type AgentRegistrationOutcome, registerAgentInTx } from './agent-registration.js';
import { preparePrimary, requireConfiguredBackend } from './backend-state.js';
import { CA_SIGNER_DEFAULTS, ensureCaSigner } from './built-in-ca.js';
import { type CertificateFiles, readCertificateFiles, requireCommonName } from './certificate-files.js';
import { agentBackendConninfo, type BackendTarget, superuserConnection } from './connect.js';
import { type ConfigureOptions, isHaMode, isTrue, requestedAgentId } from './options.js';
import { type RegistrationResult, registerServer } from './register.js';
import { ensureWebServiceRole } from './web-role.js';

/** What configure did, for the command's report. */
export interface ConfigureResult {
  agent: Omit<AgentRegistrationOutcome, 'writeFiles'>;
  /** The built-in CA's key and certificate were written on this host. */
  agentFilesWritten: boolean;
  /** The server registered (-t 1/-t 3) and how its agent dials it (the passfile line is scoped to host:port). */
  server?: RegistrationResult & {
    displayName: string;
    binding: { host: string; port: number; user: string; sslmode: string };
  };
  migrations?: MigrateResult;
  databaseCreated: boolean;
  caSignerChanged: boolean;
  webServiceRole?: { name: string; changed: boolean };
  /** The agent's backend connection string (for its configuration file). */
  agentBackend: string;
  /** True when anything changed on the backend or on this host's agent files. */
  changed: boolean;
}

/** Extra work of -t 1/-t 2, and where the agent's files go. */
export interface ConfigureExtras {
  webServiceRole?: { name: string; password: string };
  /** The agent configuration file's path: its directory is the default for built-in CA files (-acp). */
  agentConfigFile: string;
}

/** Index of the local host in the -ho list (127.0.0.1/localhost/::1, or the host's own address), or -1. */
export function localHostIndex(o: Pick<ConfigureOptions, 'hosts' | 'hostAddress'>): number {
  return o.hosts.findIndex((h) => isLocalHostName(h) || (o.hostAddress !== undefined && h === o.hostAddress));
}

/**
 * Whether the server configure registers is a node of the PEM backend.
 * `-t 3` and `-t 1` are the backend's own install steps: the server they
 * register at the local host (the reference's `--asb-host-name 127.0.0.1`),
 * at this host's address or at one of the -ho hosts is that node. A server
 * anywhere else (another --asb-host-name) is a monitored server, never a PEM
 * backend (first-use review B5: its agent would evaluate the fleet's alerts
 * and run Patroni probes); monitored servers are added with `pharos server
 * add` (docs/monitoring-a-server.md).
 */
export function isBackendNode(asbHost: string, o: Pick<ConfigureOptions, 'hosts' | 'hostAddress'>): boolean {
  return isLocalHostName(asbHost) || asbHost === o.hostAddress || o.hosts.includes(asbHost);
}

/**
 * The sslmode of the agent-server binding: a server on another host is
 * dialled with verify-full (its certificate must name it; security review
 * M3); the local node over loopback keeps `prefer` (its certificate names
 * the host, not 127.0.0.1, and a loopback peer cannot be impersonated from
 * the network; HaConnection sends no cleartext or MD5 password unverified).
 */
export function bindingSslmode(asbHost: string, o: Pick<ConfigureOptions, 'hostAddress'>): string {
  return isLocalHostName(asbHost) || asbHost === o.hostAddress ? 'prefer' : 'verify-full';
}

function targetOf(o: ConfigureOptions): BackendTarget {
  return {
    hosts: o.hosts,
    ports: o.ports,
    superuser: o.superuser,
    superpassword: o.superpassword,
    sslmode: o.sslmode,
    sslrootcert: o.sslrootcert,
    hostAddress: o.hostAddress,
  };
}

/** Whether the agent may get its certificate from the built-in CA (-kdc means no, unless -ues). */
function builtInCaAllowed(o: ConfigureOptions): boolean {
  return !o.skipDbCertificate || o.useExistingSslutils;
}

/**
 * Checks every input that needs no backend: flag combinations and the
 * agent's certificate files. @throws InputError naming the flag or file.
 */
export function checkInputs(o: ConfigureOptions): CertificateFiles | undefined {
  if (!o.superpassword) {
    throw pharosError('PHAROS_CONFIGURE_PASSWORD_MISSING');
  }
  if (isHaMode(o) && o.replicationSolution !== 'patroni') {
    throw pharosError('PHAROS_CONFIGURE_REPLICATION_UNSUPPORTED', { solution: o.replicationSolution });
  }
  if (o.type === 3 && isHaMode(o) && !o.replicationRole) {
    throw pharosError('PHAROS_CONFIGURE_ROLE_MISSING');
  }
  if (o.replicationRole && !isHaMode(o)) {
    throw pharosError('PHAROS_CONFIGURE_ROLE_WITHOUT_HA');
  }
  if (o.type !== 3 && o.replicationRole === 'standby') {
    throw pharosError('PHAROS_CONFIGURE_STANDBY_TYPE', { type: o.type });
  }
  if (Boolean(o.agentSslCert) !== Boolean(o.agentSslKey)) {
    throw pharosError('PHAROS_CLI_FLAG_PAIR', { first: '--use-agent-sslcert', second: '--use-agent-sslkey' });
  }
  if (o.agentUser && !o.agentSslCert) {
    throw pharosError('PHAROS_CONFIGURE_AGENT_USER_CERT', { user: o.agentUser });
  }
  if (!o.agentSslCert && !builtInCaAllowed(o)) {
    throw pharosError('PHAROS_CONFIGURE_NO_AGENT_CERT');
  }
  if (!o.agentSslCert) return undefined;
  const files = readCertificateFiles(o.agentSslCert, o.agentSslKey!);
  const id = requestedAgentId(o);
  if (o.agentUser) requireCommonName(files, o.agentUser);
  else if (id !== undefined) requireCommonName(files, `agent${id}`);
  return files;
}

/**
 * Runs configure. Throws InputError for bad flags or certificates (nothing
 * written), PharosError for a backend in the wrong state (for example -t 2
 * before -t 3, or the primary step on a standby); in both cases the backend
 * is unchanged.
 */
export async function configure(o: ConfigureOptions, extras: ConfigureExtras): Promise<ConfigureResult> {
  const supplied = checkInputs(o);
  const target = targetOf(o);
  const createsSchema = o.type === 1 || (o.type === 3 && o.replicationRole !== 'standby');
  const localIdx = Math.max(localHostIndex(o), 0);
  let databaseCreated = false;
  let migrations: MigrateResult | undefined;
  if (createsSchema) databaseCreated = await preparePrimary(target, localIdx);
  // The primary's step works on the local node (just checked to be the primary); the others find the primary.
  const conn = superuserConnection(target, 'pem', 'read-write', createsSchema ? localIdx : undefined);
  let outcome: Omit<ConfigureResult, 'agentFilesWritten' | 'changed' | 'agentBackend'> & {
    writeFiles: () => Promise<boolean>;
  };
  try {
    if (createsSchema) migrations = await migrate((fn) => conn.transaction(fn));
    else
      await requireConfiguredBackend(
        conn,
        o.type === 2 ? '-t 2' : '-t 3 --replication-role standby',
        o.hosts,
      );
    outcome = await conn.transaction(async (tx) => {
      let caSignerChanged = false;
      if (createsSchema && o.useExistingSslutils && o.caSigner) {
        caSignerChanged = await ensureCaSigner(tx, {
          program: o.caSigner.program,
          caCertFile: o.caSigner.caCertFile ?? CA_SIGNER_DEFAULTS.caCertFile,
          caKeyFile: o.caSigner.caKeyFile ?? CA_SIGNER_DEFAULTS.caKeyFile,
          certDays: o.caSigner.certDays ?? CA_SIGNER_DEFAULTS.certDays,
        });
      }
      const { writeFiles, ...agent } = await registerAgentInTx(tx, {
        agentId: requestedAgentId(o),
        commonUser: o.agentUser,
        displayName: o.agentRegisterParams.display_name ?? o.hostName,
        hostAddress: o.hostAddress,
        force: isTrue(o.agentRegisterParams.force_registration),
        supplied,
        builtInCaDir: builtInCaAllowed(o)
          ? (o.agentCertificatePath ?? dirname(resolve(extras.agentConfigFile)))
          : undefined,
        flags: {
          cert: '--use-agent-sslcert',
          key: '--use-agent-sslkey',
          agentId: '-aro agent_id=N',
          force: '-arp force_registration=true',
        },
      });
      let server: ConfigureResult['server'];
      if (o.type !== 2) {
        const asbHost = o.asbHostName ?? o.hosts[localIdx]!;
        const displayName = o.serverRegisterParams.display_name ?? o.hostName;
        const local = isLocalHostName(asbHost);
        const binding = {
          agentId: agent.id,
          host: asbHost,
          port: o.ports[localIdx]!,
          user: o.asbUser,
          sslmode: bindingSslmode(asbHost, o),
        };
        const r = await registerServer(tx, {
          displayName,
          // how others know the server: the host's address, else its name (not the loopback the agent uses)
          host: o.hostAddress ?? (local ? o.hostName : asbHost),
          port: o.ports[localIdx]!,
          isPemBackend: isBackendNode(asbHost, o),
          kind: isBackendNode(asbHost, o) && isHaMode(o) ? 'patroni-member' : 'standalone',
          maintenanceDb: o.serverRegisterParams.maintenance_db,
          binding,
        });
        server = { ...r, displayName, binding };
      }
      let webServiceRole: ConfigureResult['webServiceRole'];
      if (extras.webServiceRole) {
        webServiceRole = {
          name: extras.webServiceRole.name,
          changed: await ensureWebServiceRole(tx, extras.webServiceRole),
        };
      }
      return { agent, writeFiles, server, migrations, databaseCreated, caSignerChanged, webServiceRole };
    });
  } finally {
    await conn.close();
  }
  const { writeFiles, ...done } = outcome;
  const agentFilesWritten = await writeFiles();
  const agentBackend = agentBackendConninfo({
    hosts: o.hosts,
    ports: o.ports,
    user: done.agent.user,
    sslmode: o.sslmode,
    sslrootcert: o.sslrootcert ? resolve(o.sslrootcert) : undefined,
    sslcert: done.agent.certificate.certFile,
    sslkey: done.agent.certificate.keyFile,
    connectTimeoutS: o.agentOverrides.connect_timeout ? Number(o.agentOverrides.connect_timeout) : undefined,
    hostAddress: o.hostAddress,
  });
  const changed =
    done.databaseCreated ||
    (done.migrations?.applied.length ?? 0) > 0 ||
    done.caSignerChanged ||
    done.agent.changed ||
    agentFilesWritten ||
    Boolean(done.server?.changed) ||
    Boolean(done.webServiceRole?.changed);
  return { ...done, agentFilesWritten, agentBackend, changed };
}
