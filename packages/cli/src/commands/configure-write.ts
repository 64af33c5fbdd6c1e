/**
 * Files `pharos configure` leaves on the host: the local agent's
 * configuration with its passfile (mode 0600), and with -t 1/-t 2 the web
 * instance's configuration. Writing the same content again is a no-op, so a
 * second run reports "unchanged".
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { ConfigureResult } from '@pharos/server/configure/configure';
import type { ConfigureOptions } from '@pharos/server/configure/options';

/** Writes `content` to `path` (mode `mode`) atomically unless it already holds exactly that. */
export function writeIfChanged(path: string, content: string, mode: number): { path: string; changed: boolean } {
  const abs = resolve(path);
  if (existsSync(abs) && readFileSync(abs, 'utf8') === content) return { path: abs, changed: false };
  mkdirSync(dirname(abs), { recursive: true, mode: 0o750 });
  writeFileSync(`${abs}.tmp`, content, { mode });
  renameSync(`${abs}.tmp`, abs);
  return { path: abs, changed: true };
}

/** libpq .pgpass escaping of ':' and '\\' (libpq-pgpass.html). */
function pgpassField(v: string): string {
  return v.replaceAll('\\', '\\\\').replaceAll(':', '\\:');
}

function backendConninfo(o: ConfigureOptions, user: string | undefined, extra: string[]): string {
  const parts = [
    `host=${o.hosts.join(',')}`,
    `port=${o.ports.join(',')}`,
    'dbname=pem',
    ...(user ? [`user=${user}`] : []),
    'target_session_attrs=read-write',
    'connect_timeout=5',
    `sslmode=${o.sslmode ?? 'verify-full'}`,
  ];
  if (o.sslrootcert) parts.push(`sslrootcert=${resolve(o.sslrootcert)}`);
  return [...parts, ...extra].join(' ');
}

/** Writes the local agent's configuration and passfile next to it. */
export function writeLocalAgentConfig(path: string, o: ConfigureOptions, r: ConfigureResult): { path: string; changed: boolean } {
  const dir = dirname(resolve(path));
  const passfile = join(dir, 'agent.pgpass');
  writeIfChanged(passfile, `*:*:*:${pgpassField(o.asbUser)}:${pgpassField(o.asbPassword)}\n`, 0o600);
  const tls = [] as string[];
  if (o.agentSslCert) tls.push(`sslcert=${resolve(o.agentSslCert)}`);
  if (o.agentSslKey) tls.push(`sslkey=${resolve(o.agentSslKey)}`);
  const config: Record<string, unknown> = {
    agent_id: r.agent.id,
    agent_user: r.agent.user,
    backend: backendConninfo(o, r.agent.user, tls),
    spool_dir: join(dir, 'spool'),
    passfile,
    log_file: join(dir, 'agent.log'),
  };
  if (o.hostAddress) config.host_address = o.hostAddress;
  return writeIfChanged(path, `# Written by pharos configure.\n${stringify(config)}`, 0o600);
}

/** Settings of the web instance that configure does not derive from ConfigureOptions. */
export interface WebFileSettings {
  serviceUser: string;
  servicePassword: string;
  port: number;
  certFile?: string;
  keyFile?: string;
}

/** Writes the web instance's configuration and its service role's passfile. */
export function writeLocalWebConfig(path: string, o: ConfigureOptions, w: WebFileSettings): { path: string; changed: boolean } {
  const dir = dirname(resolve(path));
  const passfile = join(dir, 'web.pgpass');
  writeIfChanged(passfile, `*:*:*:${pgpassField(w.serviceUser)}:${pgpassField(w.servicePassword)}\n`, 0o600);
  const config: Record<string, unknown> = {
    listen_address: o.hostAddress ?? '0.0.0.0',
    port: w.port,
    tls_cert_file: w.certFile ? resolve(w.certFile) : join(dir, 'web.crt'),
    tls_key_file: w.keyFile ? resolve(w.keyFile) : join(dir, 'web.key'),
    backend: backendConninfo(o, w.serviceUser, [`passfile=${passfile}`]),
    login_backend: backendConninfo(o, undefined, []),
    log_file: join(dir, 'web.log'),
  };
  if (o.hostAddress) config.source_address = o.hostAddress;
  return writeIfChanged(path, `# Written by pharos configure.\n${stringify(config)}`, 0o600);
}
