/**
 * `pharos agent enrol`, `pharos agent unregister --url` and `pharos agent
 * list`: an agent on any host, without the PEM superuser's password
 * (issue 14; docs/monitoring-a-server.md). Loaded only when one runs.
 *
 * enrol, on the new host:
 *  1. checks its inputs: the web instance's URL, the one-time token
 *     (PHAROS_ENROL_TOKEN, or --token), the deployment's CA file, that
 *     --config does not exist yet (a host enrols once) and that its directory
 *     is writable;
 *  2. makes the agent's key here (it never leaves the host) and a CSR (or
 *     reads the host's own certificate and key: --sslcert/--sslkey, with
 *     --agent-user for the common-user model);
 *  3. `POST /api/enrol` (the token is the credential; TLS verified with the
 *     CA file): the backend checks the token, creates agentN and has its
 *     built-in CA sign the CSR; after a 503 or no answer it asks once more
 *     with the same request (same CSR and key): the backend answers a retry
 *     of the request that used the token with that enrolment;
 *  4. writes, beside --config: the key (0600) and certificate
 *     (`agentN.key`/`.crt`), a copy of the CA (`backend-ca.crt`), an empty
 *     passfile (`agent.pgpass`, 0600: `pharos server prepare` gives its
 *     lines), the configuration (0600; the multi-host backend string the
 *     instance answered) and `agent.enrol.json`, the list of what it wrote
 *     (for `unregister --remove-files`);
 *  5. logs in as the agent (its certificate, to the primary) and reports;
 *     --start then starts the agent in the background.
 *
 * unregister --url: `DELETE /api/agents/:id` as a pem_admin member
 * (--remove-servers to remove the servers it monitors too); with
 * --remove-files, removes what enrol wrote on this host (agent.enrol.json).
 */
import { spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { AGENT_NODE_OPTIONS } from '@pharos/agent/node-options';
import { readCertificateFiles } from '@pharos/backend/configure/certificate-files';
import { agentBackendConninfo } from '@pharos/backend/configure/connect';
import { checkAgentLogin } from '@pharos/backend/configure/verify';
import type { EnrolResult } from '@pharos/backend/enrol/enrol';
import type { FleetAgent } from '@pharos/backend/fleet/agents';
import { parseConninfo } from '@pharos/core/conninfo/resolve';
import { hasCode, InputError, messageOf, pharosError, rephrased } from '@pharos/core/errors';
import { createCsr, ENROLMENT_CSR_CN } from '@pharos/core/pki/csr';
import { writeCertFile, writeKeyFile } from '@pharos/core/pki/files';
import {
  type ApiFlags,
  type ApiTarget,
  apiClient,
  apiErrorOf,
  apiTarget,
  httpsJson,
} from '../../api/client.js';
import { print, printJson } from '../../output.js';
import { writeAgentConfig, writeIfChanged } from '../configure/write.js';

/** Flags of `agent enrol`. */
export interface EnrolFlags {
  url?: string;
  token?: string;
  caFile?: string;
  config: string;
  displayName?: string;
  hostAddress?: string;
  sslcert?: string;
  sslkey?: string;
  agentUser?: string;
  serverSslrootcert?: string;
  start?: boolean;
}

/** What enrol wrote on this host (agent.enrol.json beside the configuration). */
export interface EnrolManifest {
  agentId: number;
  agentUser: string;
  url: string;
  enrolledAt: string;
  /** Files enrol created, removed by `unregister --remove-files`. */
  files: string[];
  /** Directories the agent fills (its spool), removed with them. */
  dirs: string[];
}

/** The manifest's path for configuration `config`. */
export function manifestPath(config: string): string {
  return join(dirname(resolve(config)), 'agent.enrol.json');
}

type Enrolled = EnrolResult & {
  backend: { hosts: string[]; ports: number[]; dbname: string; sslmode: string };
};

/**
 * How long `agent enrol` waits before it asks once more after a 503 or no
 * answer (a backend failover, or a loaded web tier whose query deadline gave
 * up while the enrolment committed: the backend answers a retry of the same
 * request with that enrolment, pem.enrol_agent).
 */
export const ENROL_RETRY_DELAY_MS = 2_000;

/**
 * `POST /api/enrol` with `body`; asked once more, with the same body (the
 * same CSR, so the key made for it stays valid), after a 503 or when the
 * instance cannot be reached or does not answer. The token is never printed.
 * @returns the last answer (status and JSON body).
 * @throws PHAROS_CLIENT_UNREACHABLE when the second request gets no answer either.
 */
async function postEnrol(
  target: ApiTarget,
  body: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let why: string;
  try {
    const r = await httpsJson(target, 'POST', '/api/enrol', body);
    if (r.status !== 503) return r;
    why = `it answered 503 (${typeof r.body.code === 'string' ? r.body.code : 'unavailable'})`;
  } catch (err) {
    if (!hasCode(err, 'PHAROS_CLIENT_UNREACHABLE')) throw err;
    why = messageOf(err);
  }
  process.stderr.write(
    `pharos agent enrol: ${why}; asking once more in ${ENROL_RETRY_DELAY_MS / 1000} s with the same request\n`,
  );
  await delay(ENROL_RETRY_DELAY_MS);
  return httpsJson(target, 'POST', '/api/enrol', body);
}

/** `agent enrol` (module note). */
export async function enrol(f: EnrolFlags): Promise<void> {
  const token = f.token ?? process.env.PHAROS_ENROL_TOKEN;
  if (!token) throw pharosError('PHAROS_ENROL_TOKEN_MISSING');
  const caFile = f.caFile ?? process.env.PHAROS_CA_FILE;
  if (!caFile) throw pharosError('PHAROS_ENROL_CA_FILE_MISSING');
  const target = apiTarget({ url: f.url, caFile });
  const config = resolve(f.config);
  const dir = dirname(config);
  if (existsSync(config)) {
    throw pharosError('PHAROS_ENROL_CONFIG_EXISTS', { path: config });
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw pharosError('PHAROS_ENROL_CONFIG_UNWRITABLE', {
      dir,
      reason: (err as NodeJS.ErrnoException).code ?? messageOf(err),
    });
  }
  if (Boolean(f.sslcert) !== Boolean(f.sslkey))
    throw pharosError('PHAROS_CLI_FLAG_PAIR', { first: '--sslcert', second: '--sslkey' });
  if (f.agentUser && !f.sslcert)
    throw pharosError('PHAROS_ENROL_INVALID', {
      detail: '--agent-user needs the certificate and key made for that user: give --sslcert and --sslkey',
    });
  const supplied = f.sslcert
    ? readCertificateFiles(f.sslcert, f.sslkey!, { cert: '--sslcert', key: '--sslkey' })
    : undefined;
  if (f.serverSslrootcert && !existsSync(f.serverSslrootcert))
    throw pharosError('PHAROS_CLI_FILE_MISSING', { flag: '--server-sslrootcert', path: f.serverSslrootcert });
  const hostAddress = f.hostAddress ?? (process.env.PHAROS_HOST_ADDRESS || undefined);
  const displayName = f.displayName ?? (process.env.PHAROS_HOST_NAME || hostname());
  const csr = supplied ? undefined : await createCsr({ commonName: ENROLMENT_CSR_CN });

  const r = await postEnrol(target, {
    token,
    displayName,
    ...(hostAddress ? { hostAddress } : {}),
    ...(csr ? { csr: csr.csrPem } : { certificate: supplied!.certPem }),
    ...(f.agentUser ? { agentUser: f.agentUser } : {}),
  });
  if (r.status !== 201) {
    const err = apiErrorOf(r.status, r.body, 'enrol');
    // name the flag of the field the backend refused
    const flag: Record<string, string> = {
      token: '--token',
      displayName: '--display-name',
      hostAddress: '--host-address',
      certificate: '--sslcert',
      agentUser: '--agent-user',
    };
    if (err instanceof InputError && err.field && flag[err.field]) {
      throw rephrased(err, err.message.replace(new RegExp(`^${err.field}: `), `${flag[err.field]}: `));
    }
    throw err;
  }
  const e = r.body as unknown as Enrolled;

  // The backend has the agent now: write this host's files.
  const written: string[] = [];
  let certFile: string;
  let keyFile: string;
  try {
    if (csr) {
      certFile = join(dir, `${e.agentUser}.crt`);
      keyFile = join(dir, `${e.agentUser}.key`);
      await writeKeyFile(keyFile, csr.keyPem);
      written.push(keyFile);
      await writeCertFile(certFile, e.certificate);
      written.push(certFile);
    } else {
      certFile = resolve(supplied!.certFile);
      keyFile = resolve(supplied!.keyFile);
    }
    const ca = join(dir, 'backend-ca.crt');
    if (resolve(caFile) !== ca) {
      copyFileSync(caFile, ca);
      written.push(ca);
    }
    const passfile = join(dir, 'agent.pgpass');
    const lab = process.env.PHAROS_HOST_ADDRESS || undefined;
    const backend = agentBackendConninfo({
      hosts: e.backend.hosts,
      ports: e.backend.ports,
      user: e.agentUser,
      sslmode: 'verify-full',
      sslrootcert: ca,
      sslcert: certFile,
      sslkey: keyFile,
      hostAddress: lab,
    });
    const hadPassfile = existsSync(passfile);
    writeAgentConfig(config, {
      agentId: e.agentId,
      agentUser: e.agentUser,
      backend,
      sourceAddress: lab,
      hostAddress: lab,
      passfile,
      serverSslrootcert: f.serverSslrootcert,
    });
    written.push(config);
    if (!hadPassfile) written.push(passfile);
    const manifest: EnrolManifest = {
      agentId: e.agentId,
      agentUser: e.agentUser,
      url: target.url.origin,
      enrolledAt: new Date().toISOString(),
      files: [...written, manifestPath(config)],
      dirs: [join(dir, 'spool')],
    };
    writeIfChanged(manifestPath(config), `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
  } catch (err) {
    throw pharosError(
      'PHAROS_ENROL_FILES_FAILED',
      { id: e.agentId, user: e.agentUser, dir, reason: messageOf(err), url: target.url.origin },
      { cause: err },
    );
  }
  const cert = readCertificateFiles(certFile, keyFile);
  const lines = [
    `agent ${e.agentId} (${e.agentUser}, ${displayName}): enrolled through ${target.url.origin}`,
    `agent certificate (${e.certificateSource}, expires ${cert.notAfter.toISOString().slice(0, 10)}): ${certFile}, key ${keyFile}${csr ? ' (made here, 0600)' : ''}`,
    `backend CA: ${join(dir, 'backend-ca.crt')}`,
    `agent configuration: ${config} (written; backend ${e.backend.hosts.join(',')})`,
    `passfile: ${join(dir, 'agent.pgpass')} (0600; pharos server prepare gives its lines)`,
  ];
  const { backendConninfo, loadAgentConfig } = await import('@pharos/agent/config');
  const ci = parseConninfo(backendConninfo(loadAgentConfig(config)), {});
  const problem = await checkAgentLogin({
    agentId: e.agentId,
    agentUser: e.agentUser,
    conninfo: ci,
    deadlineMs: 15_000,
  }).catch((err: unknown) => messageOf(err));
  lines.push(
    problem ? `warning: the agent cannot log in yet: ${problem}` : `agent login as ${e.agentUser}: ok`,
  );
  if (f.start) {
    const pid = startAgent(config);
    lines.push(`agent started in the background (pid ${pid}, output ${join(dir, 'agent.out')})`);
  } else {
    lines.push(`start it: systemctl enable --now pharos-agent (or pharos agent run --config ${config})`);
  }
  lines.push('agent enrol: done');
  process.stdout.write(`${lines.join('\n')}\n`);
}

function startAgent(config: string): number {
  const out = openSync(join(dirname(config), 'agent.out'), 'a', 0o600);
  const child = spawn(
    process.execPath,
    [...AGENT_NODE_OPTIONS, process.argv[1]!, 'agent', 'run', '--config', config],
    { detached: true, stdio: ['ignore', out, out], env: process.env },
  );
  child.unref();
  return child.pid ?? 0;
}

/** Flags of `agent unregister` through the API. */
export interface UnregisterApiFlags extends ApiFlags {
  config: string;
  agentId?: string;
  removeServers?: boolean;
  removeFiles?: boolean;
  json?: boolean;
}

/** `agent unregister --url ...` (module note). */
export async function unregisterThroughApi(f: UnregisterApiFlags): Promise<void> {
  const manifestFile = manifestPath(f.config);
  const manifest = existsSync(manifestFile)
    ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as EnrolManifest)
    : undefined;
  let id: number | undefined;
  if (f.agentId !== undefined) {
    if (!/^\d+$/.test(f.agentId) || Number(f.agentId) < 1)
      throw pharosError('PHAROS_CLI_NOT_POSITIVE_INTEGER', { flag: '--agent-id', value: f.agentId });
    id = Number(f.agentId);
  } else {
    id = manifest?.agentId;
  }
  if (id === undefined) throw pharosError('PHAROS_AGENT_ID_MISSING', { manifest: manifestFile });
  const api = apiClient(f);
  const q = f.removeServers ? '?removeServers=true' : '';
  const r = await api.call<{ actions: string[] }>(
    'DELETE',
    `/api/agents/${id}${q}`,
    undefined,
    `unregister agent ${id}`,
  );
  const lines = [...r.actions];
  const removed: string[] = [];
  if (f.removeFiles) {
    if (!manifest || manifest.agentId !== id) {
      lines.push(`no files removed: ${manifestFile} does not list agent ${id}'s files`);
    } else {
      for (const path of [...manifest.dirs, ...manifest.files]) {
        if (!existsSync(path)) continue;
        rmSync(path, { recursive: true, force: true });
        removed.push(path);
      }
      lines.push(`removed ${removed.length} file(s) enrol wrote: ${removed.join(', ')}`);
      for (const extra of ['agent.log', 'agent.out'].map((n) => join(dirname(resolve(f.config)), n)))
        if (existsSync(extra)) lines.push(`kept ${extra} (the agent's log)`);
    }
  } else if (manifest?.agentId === id) {
    lines.push(`local files kept (--remove-files removes them): ${manifest.files.join(', ')}`);
  }
  lines.push('agent unregister: done');
  if (f.json) return printJson({ agentId: id, actions: r.actions, removedFiles: removed });
  print(lines.join('\n'));
}

/** `agent list`. */
export async function listAgentsCommand(f: ApiFlags & { json?: boolean }): Promise<void> {
  const agents = await apiClient(f).call<FleetAgent[]>('GET', '/api/agents', undefined, 'list agents');
  if (f.json) return printJson(agents);
  for (const a of agents) {
    const hb =
      a.heartbeatAgeS === null ? 'no heartbeat yet' : `heartbeat ${a.heartbeatAgeS.toFixed(0)} s ago`;
    print(
      `${a.id}  ${a.displayName}  (${a.user}${a.hostAddress ? `, ${a.hostAddress}` : ''}): ${hb}, ${a.servers} server(s)${a.pemBackend ? ', PEM backend' : ''}${a.version ? `, version ${a.version}` : ''}`,
    );
  }
}
