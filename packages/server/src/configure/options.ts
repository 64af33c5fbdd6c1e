/**
 * The options of `pharos configure`, the counterpart of the reference's
 * `configure-pem-server.sh` (flags in pem-facts.md §1), after parsing.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { InputError } from '@pharos/core/errors';

/** Parsed configure options. Ports are per host (one port given = the same for all). */
export interface ConfigureOptions {
  /** 1 web + backend on one host, 2 web only, 3 backend only. */
  type: 1 | 2 | 3;
  hosts: string[];
  ports: number[];
  superuser: string;
  superpassword: string;
  /** --asb-host-name: how the local agent reaches the monitored server (127.0.0.1 in HA). */
  asbHostName?: string;
  replicationSolution?: 'patroni' | 'efm';
  replicationRole?: 'primary' | 'standby';
  skipDbCertificate: boolean;
  noHbaChange: boolean;
  useExistingSslutils: boolean;
  /** --use-agent-user: one common agent database user. */
  agentUser?: string;
  agentSslCert?: string;
  agentSslKey?: string;
  /** -aro key=value pairs (agent_id=N). */
  agentOverrides: Record<string, string>;
  /** The host this command runs on: name (display name of its agent and server) and address. */
  hostName: string;
  hostAddress?: string;
  /** User the agent uses for the agent-server binding, and its password (default: the superuser's). */
  asbUser: string;
  asbPassword: string;
  /** sslmode and CA for the superuser's connection (libpq PGSSLMODE/PGSSLROOTCERT apply too). */
  sslmode?: string;
  sslrootcert?: string;
}

/** True in HA mode (--replication-solution given): SSL, HBA and restarts belong to the cluster manager. */
export function isHaMode(o: ConfigureOptions): boolean {
  return o.replicationSolution !== undefined;
}

/** Splits a comma list of ports, one per host or one for all. InputError names -p and the value. */
export function parsePorts(value: string, hostCount: number): number[] {
  const ports = value.split(',').map((p) => p.trim());
  for (const p of ports) {
    const n = Number(p);
    if (!/^\d+$/.test(p) || n < 1 || n > 65535) throw new InputError(`-p/--port: '${p}' is not a port number (1-65535)`);
  }
  if (ports.length !== 1 && ports.length !== hostCount) {
    throw new InputError(`-p/--port: ${ports.length} ports given for ${hostCount} hosts; give one port, or one per host`);
  }
  return ports.length === 1 ? Array(hostCount).fill(Number(ports[0])) : ports.map(Number);
}

/** Parses -aro/--agent-register-overrider 'k=v,k=v'. InputError on a pair without '='. */
export function parseOverrides(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  for (const pair of value.split(',')) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new InputError(`-aro/--agent-register-overrider: '${pair}' is not key=value`);
    out[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return out;
}

/**
 * The agent's certificate: reads --use-agent-sslcert and --use-agent-sslkey
 * (each named in the error when missing or unreadable) and checks that the
 * certificate's CN is `expectedUser` (the reference's rule: CN = database user).
 */
export function checkAgentCertificate(certFile: string, keyFile: string, expectedUser: string): { subject: string } {
  let pem: string;
  try {
    pem = readFileSync(certFile, 'utf8');
  } catch (err) {
    throw new InputError(`--use-agent-sslcert: cannot read ${certFile}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  try {
    readFileSync(keyFile);
  } catch (err) {
    throw new InputError(`--use-agent-sslkey: cannot read ${keyFile}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    throw new InputError(`--use-agent-sslcert: ${certFile} is not a PEM certificate (${(err as Error).message})`);
  }
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
  if (cn !== expectedUser) {
    throw new InputError(
      `--use-agent-sslcert: ${certFile} has CN '${cn ?? '(none)'}' but the agent's database user is '${expectedUser}'; expected a certificate with CN=${expectedUser}`,
    );
  }
  return { subject: cert.subject };
}
