/**
 * `pharos lab status`: every host of the lab, its processes (running or
 * not), the Patroni role and state of each backend and of each member of
 * the fleet's cluster (https with the lab's CA when secured), etcd health,
 * each agent's newest sample age and each web instance's health.
 */
import { readFileSync } from 'node:fs';
import { pharosError } from '@pharos/core/errors';
import { agentHosts } from '../topology/hosts.js';
import { loadTopology } from '../topology/load.js';
import { labAccess, openAccess } from './access.js';
import { etcdHealthy } from './etcd-api.js';
import { requestJson } from './http.js';
import { labLayout } from './layout.js';
import { labRss } from './memory.js';
import { getCluster, type PatroniMember } from './patroni-api.js';
import { isRunning } from './processes.js';
import { loadOrCreateSecrets } from './secrets.js';
import { type LabState, readState } from './state.js';
import { agentSampleAges } from './wait-data.js';

/** One line of the status table. */
export interface StatusLine {
  host: string;
  kind: string;
  pid: number;
  running: boolean;
  detail: string;
}

/** Collects the lab's status. Throws PharosError when `dir` holds no lab. */
export async function labStatus(dir: string): Promise<{
  state: LabState;
  lines: StatusLine[];
  healthy: boolean;
  rssBytes: number;
  processCount: number;
}> {
  const state = readState(dir);
  if (!state) throw pharosError('PHAROS_LAB_NOT_FOUND', { dir });
  const topo = loadTopology(state.topologyFile, 'lab');
  const access = (() => {
    try {
      return labAccess(topo, dir);
    } catch {
      return openAccess(topo); // no certificates yet: nothing secured answers anyway
    }
  })();
  let members: PatroniMember[] = [];
  for (const b of topo.backends) {
    try {
      members = (await getCluster(b.address, access.patroni)).members;
      break;
    } catch {
      /* try the next member */
    }
  }
  let ages = new Map<number, number | null>();
  try {
    ages = await agentSampleAges({ topo, secrets: loadOrCreateSecrets(dir), access });
  } catch {
    /* backend not reachable: shown as unknown */
  }
  const ca = (() => {
    try {
      return readFileSync(`${labLayout(dir).pkiDir}/ca.crt`, 'utf8');
    } catch {
      return undefined;
    }
  })();
  let fleetMembers: PatroniMember[] = [];
  const fleet = state.fleet;
  // the fleet's cluster: its REST API's certificates are from the lab's CA too (fleet/start.ts)
  const fleetAccess = {
    port: topo.patroni.rest_port,
    ...(access.patroni.ca ? { ca: access.patroni.ca } : {}),
  };
  for (const m of fleet?.cluster.members ?? []) {
    try {
      fleetMembers = (await getCluster(m.address, fleetAccess)).members;
      break;
    } catch {
      /* try the next member */
    }
  }
  const lines: StatusLine[] = [];
  let healthy = state.phase === 'up';
  for (const p of state.processes) {
    const running = isRunning(p);
    if (!running) healthy = false;
    let detail = '';
    if (p.kind === 'etcd') {
      const addr = topo.etcd.find((e) => e.name === p.host)?.address ?? '';
      const h = await etcdHealthy(addr, access.etcd).catch(() => false);
      detail = h ? 'healthy' : 'unhealthy';
      if (detail !== 'healthy') healthy = false;
    } else if (p.kind === 'patroni') {
      const inFleet = fleet?.cluster.members.some((x) => x.name === p.host) === true;
      const m = (inFleet ? fleetMembers : members).find((x) => x.name === p.host);
      detail = m
        ? `${inFleet ? `${fleet!.cluster.scope}: ` : ''}${m.role} ${m.state} timeline ${m.timeline ?? '?'}${m.lag !== undefined ? ` lag ${m.lag}` : ''}`
        : 'not in cluster';
      if (!m || !['running', 'streaming'].includes(m.state)) healthy = false;
    } else if (p.kind === 'postgres' || p.kind === 'pgbench') {
      const h = fleet?.hosts.find((x) => x.name === p.host);
      detail =
        p.kind === 'postgres'
          ? `${h?.address}:${topo.postgres.port} (server ${fleet?.standalone.serverName})`
          : `load on ${fleet?.standalone.serverName}`;
    } else if (p.kind === 'agent') {
      const id = [...agentHosts(topo), ...(fleet?.hosts ?? [])].find((h) => h.name === p.host)?.agentId;
      const age = id === undefined ? undefined : ages.get(id);
      detail = `agent ${id}: ${age === undefined || age === null ? 'no samples' : `newest sample ${age.toFixed(1)} s old`}`;
    } else if (p.kind === 'web') {
      const url = state.webUrls.find((u) =>
        u.includes(topo.webapps.find((w) => w.name === p.host)?.address ?? '#'),
      );
      const h =
        url && ca
          ? await requestJson(new URL('/api/health', url).href, { ca, timeoutMs: 3000 }).catch(
              () => undefined,
            )
          : undefined;
      detail = `${url ?? ''} ${h?.status === 200 ? 'healthy' : 'unhealthy'}`;
      if (h?.status !== 200) healthy = false;
    }
    lines.push({ host: p.host, kind: p.kind, pid: p.pid, running, detail });
  }
  const mem = labRss(state.processes, state.dir);
  return { state, lines, healthy, rssBytes: mem.bytes, processCount: mem.processes };
}
