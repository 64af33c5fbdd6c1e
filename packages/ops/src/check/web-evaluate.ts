/**
 * Judges the web instances (pure) from their `GET /api/health` answers
 * (packages/web/src/api/health.ts: `{version, backend: {reachable, host,
 * port, isPrimary, error?}}`, always 200 while the instance runs).
 */
import type { Topology, TopologyHost } from '../topology/types.js';
import { type CheckResult, result } from './result.js';

/** The body of GET /api/health. */
export interface WebHealth {
  version: string;
  backend: {
    reachable: boolean;
    host: string | null;
    port: number | null;
    isPrimary: boolean | null;
    error?: string;
  };
}

/** What one instance answered: status and body, or why it could not be asked. */
export type WebObservation = { host: TopologyHost; url: string } & (
  | { status: number; health?: WebHealth }
  | { error: string }
);

/**
 * `web.health` (GET /api/health over HTTPS answers 200 with a version;
 * the certificate is judged by `web.certificate`) and `web.backend` (the
 * instance reaches the primary through its multi-host string) for one
 * instance.
 */
export function evaluateWebInstance(topo: Topology, o: WebObservation): CheckResult[] {
  const name = o.host.name;
  const start = `start the web instance on ${name} (systemctl start pharos-web) and read its log`;
  if ('error' in o || o.status !== 200 || !o.health) {
    const why = 'error' in o ? o.error : `GET ${o.url}api/health answered ${o.status}`;
    return [
      result('web', 'web.health', name, 'failed', `unreachable: ${why}`, start),
      result('web', 'web.backend', name, 'failed', 'unknown: the instance does not answer', start),
    ];
  }
  const b = o.health.backend;
  const backendName = topo.backends.find((x) => x.address === b.host)?.name ?? b.host ?? '?';
  const out = [result('web', 'web.health', name, 'ok', `${o.url} answers, version ${o.health.version}`)];
  if (!b.reachable) {
    out.push(
      result(
        'web',
        'web.backend',
        name,
        'failed',
        `backend unreachable: ${b.error ?? 'no reason given'}`,
        `check the instance's backend string and the primary (see patroni.leader, conninfo.web.backend)`,
      ),
    );
  } else if (b.isPrimary !== true) {
    out.push(
      result(
        'web',
        'web.backend',
        name,
        'failed',
        `connected to ${backendName} (${b.host}:${b.port}), which is not the primary`,
        'the backend string must ask for target_session_attrs=read-write',
      ),
    );
  } else {
    out.push(
      result('web', 'web.backend', name, 'ok', `reaches the primary ${backendName} (${b.host}:${b.port})`),
    );
  }
  return out;
}

/** `web.version` for the cluster: every instance that answered runs the same version. */
export function evaluateWebVersions(observations: WebObservation[]): CheckResult {
  const versions = new Map<string, string[]>();
  for (const o of observations) {
    if ('error' in o || !o.health) continue;
    versions.set(o.health.version, [...(versions.get(o.health.version) ?? []), o.host.name]);
  }
  if (versions.size === 0) {
    return result(
      'web',
      'web.version',
      'cluster',
      'failed',
      'no instance answered',
      'start the web instances',
    );
  }
  if (versions.size > 1) {
    return result(
      'web',
      'web.version',
      'cluster',
      'failed',
      `versions differ: ${[...versions].map(([v, names]) => `${v} on ${names.join(', ')}`).join('; ')}`,
      'install the same Pharos version on every web host (they share sessions and the schema)',
    );
  }
  const [[v, names]] = [...versions] as [[string, string[]]];
  return result('web', 'web.version', 'cluster', 'ok', `${v} on ${names.length} instance(s)`);
}
